import { isPlainObject, ownValue, setOwn, type Doc } from "./paths";

/** Sets a dotted path, creating intermediate subdocuments (used for seeds built from filters). */
export function setPath(doc: Doc, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: Doc = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    let next = ownValue(cur, parts[i]);
    if (!isPlainObject(next)) {
      next = {};
      setOwn(cur, parts[i], next);
    }
    cur = next as Doc;
  }
  setOwn(cur, parts[parts.length - 1], value);
}

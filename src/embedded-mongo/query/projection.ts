import { Query } from "mingo/query";
import { commandError } from "../errors";
import { mingoOptions } from "./mingo-context";
import type { Doc } from "./paths";

export function applyProjection(doc: Doc, projection: Doc | undefined): Doc {
  if (!projection || Object.keys(projection).length === 0) return doc;
  try {
    return new Query({}, mingoOptions()).find([doc], projection).all()[0] as Doc;
  } catch (err) {
    throw commandError("BadValue", err instanceof Error ? err.message : String(err));
  }
}

import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter, getIndexKeyValue } from "../query";
import { valueKey } from "../storage/keys";
import { collectionName, optionalDocument, optionalNumber } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { isSimpleCollation } from "./select";
import { selectFromNamespace } from "./views";

async function count(command: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  const isView = coll?.isView ?? false;
  const query = optionalDocument(command, "query") ?? {};
  const skip = optionalNumber(command, "skip") ?? 0;
  const limit = Math.abs(optionalNumber(command, "limit") ?? 0);
  if (skip < 0) throw commandError("BadValue", "skip value is negative in count query");
  if (coll && !isView && Object.keys(query).length === 0 && command.hint === undefined) {
    return { n: Math.max(0, Math.min(coll.docs.size - skip, limit || Infinity)), ok: 1 };
  }
  const docs = await selectFromNamespace(ctx, name, query, {
    skip,
    limit,
    hint: command.hint,
    collation: effectiveCollation(ctx, name, optionalDocument(command, "collation")),
    cover: [],
  });
  return { n: docs.length, ok: 1 };
}

async function distinct(command: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionName(command, ctx);
  const key = command.key;
  if (typeof key !== "string") throw commandError("TypeMismatch", "Field 'key' must be of type string");
  const collation = effectiveCollation(ctx, name, optionalDocument(command, "collation"));
  const docs = await selectFromNamespace(ctx, name, optionalDocument(command, "query") ?? {}, {
    hint: command.hint,
    collation,
  });
  const values: unknown[] = [];
  const add = isSimpleCollation(collation) ? binaryDistinct(values) : collatedDistinct(values, collation as Document);
  for (const doc of docs) {
    const value = getIndexKeyValue(doc, key);
    if (Array.isArray(value)) value.forEach(add);
    else add(value);
  }
  return { values, ok: 1 };
}

function binaryDistinct(values: unknown[]): (value: unknown) => void {
  const seen = new Set<string>();
  return (value) => {
    if (value === undefined) return;
    const canonical = valueKey(value);
    if (seen.has(canonical)) return;
    seen.add(canonical);
    values.push(value);
  };
}

/** Under a collation "PING" and "ping" may be one value; distinct lists are small, so pairwise is fine. */
function collatedDistinct(values: unknown[], collation: Document): (value: unknown) => void {
  const matchers: Array<(doc: Document) => boolean> = [];
  return (value) => {
    if (value === undefined || matchers.some((matches) => matches({ v: value }))) return;
    matchers.push(compileFilter({ v: { $eq: value } }, { collation }));
    values.push(value);
  };
}

export const countDistinctCommands: CommandTable = { count, distinct };

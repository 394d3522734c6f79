import type { Document } from "bson";
import { commandError } from "../errors";
import { ownValue, runPipeline, setOwn } from "../query";
import type { CommandContext } from "./context";
import { prepareForInsert } from "./documents";
import { selectDocuments } from "./select";
import { deleteDocument, insertDocument, replaceDocument, writableCollection } from "./writes";
import { valueKey } from "../storage/keys";
import { formatDupKey } from "../storage/dup-key";

interface Target {
  db: string;
  coll: string;
}

function targetOf(spec: unknown, ctx: CommandContext): Target {
  if (typeof spec === "string") return { db: ctx.db, coll: spec };
  const target = spec as Document;
  return { db: typeof target.db === "string" ? target.db : ctx.db, coll: String(target.coll) };
}

/** Runs a final $out or $merge stage: writes `results` into the target collection. */
export function writeStageResults(stage: Document, results: Document[], ctx: CommandContext, variables: Document | undefined, bypass: boolean): void {
  if ("$out" in stage) writeOut(targetOf(stage.$out, ctx), results, ctx, bypass);
  else writeMerge(stage.$merge as Document | string, results, ctx, variables, bypass);
}

/** $out replaces the target's documents and keeps its indexes; a duplicate _id fails the stage. */
function writeOut(target: Target, results: Document[], ctx: CommandContext, bypass: boolean): void {
  const docs = results.map(prepareForInsert);
  const coll = writableCollection(ctx, target.coll, target.db);
  if (new Set(docs.map((doc) => valueKey(doc._id))).size !== docs.length) {
    throw commandError("DuplicateKey", `E11000 duplicate key error collection: ${coll.ns} index: _id_`);
  }
  for (const doc of [...coll.docs.values()]) deleteDocument(ctx, coll, doc._id);
  for (const doc of docs) insertDocument(ctx, coll, doc, bypass);
}

function writeMerge(spec: Document | string, results: Document[], ctx: CommandContext, outerVariables: Document | undefined, bypass: boolean): void {
  const options = typeof spec === "string" ? { into: spec } : spec;
  const target = targetOf(options.into, ctx);
  const on: string[] = options.on === undefined ? ["_id"] : Array.isArray(options.on) ? options.on : [options.on];
  const whenMatched = options.whenMatched ?? "merge";
  const whenNotMatched = options.whenNotMatched ?? "insert";
  const coll = writableCollection(ctx, target.coll, target.db);
  for (const result of results) {
    const filter: Document = {};
    for (const field of on) setOwn(filter, field, ownValue(result, field) ?? null);
    const [existing] = selectDocuments(coll, filter, { limit: 1 });
    if (!existing) {
      if (whenNotMatched === "discard") continue;
      if (whenNotMatched === "fail") throw commandError("MergeStageNoMatchingDocument", "$merge could not find a matching document in the target collection for at least one document in the source collection");
      insertDocument(ctx, coll, prepareForInsert(result), bypass);
      continue;
    }
    let merged: Document;
    if (whenMatched === "keepExisting") continue;
    if (whenMatched === "fail") {
      const keyPattern = Object.fromEntries(on.map((field) => [field, 1]));
      throw commandError("DuplicateKey", `E11000 duplicate key error collection: ${coll.ns} index: ${indexNameFor(on)} dup key: ${formatDupKey(filter)}`, { keyPattern, keyValue: filter });
    }
    if (whenMatched === "replace") merged = { ...result, _id: existing._id };
    else if (whenMatched === "merge") merged = { ...existing, ...result, _id: existing._id };
    else if (Array.isArray(whenMatched)) {
      const variables = { ...outerVariables, ...(options.let ?? {}), new: result };
      [merged] = runPipeline([existing], whenMatched as Document[], { resolveCollection: () => [], variables });
      merged = { ...merged, _id: existing._id };
    } else {
      throw commandError("BadValue", `unsupported $merge whenMatched mode: ${JSON.stringify(whenMatched)}`);
    }
    replaceDocument(ctx, coll, merged, existing, bypass);
  }
}

function indexNameFor(on: string[]): string {
  return on.length === 1 && on[0] === "_id" ? "_id_" : on.map((field) => `${field}_1`).join("_");
}

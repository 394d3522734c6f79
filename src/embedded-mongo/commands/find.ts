import { Long, type Document } from "bson";
import { commandError } from "../errors";
import { applyProjection } from "../query";
import { collectionName, optionalDocument, optionalNumber, boolOption } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { selectFromNamespace } from "./views";
import { coverOf } from "./select";
import { evaluateLet } from "./variables";

async function find(command: Document, ctx: CommandContext): Promise<Document> {
  const name = collectionName(command, ctx);
  const filter = optionalDocument(command, "filter") ?? {};
  const projection = optionalDocument(command, "projection");
  const skip = optionalNumber(command, "skip") ?? 0;
  const rawLimit = optionalNumber(command, "limit") ?? 0;
  if (skip < 0) throw commandError("BadValue", "skip value must be non-negative");
  // A negative limit is the legacy way of asking for a single batch.
  const limit = Math.abs(rawLimit);
  const singleBatch = boolOption(command, "singleBatch", false) || rawLimit < 0;
  const batchSize = optionalNumber(command, "batchSize");
  if (batchSize !== undefined && batchSize < 0) throw commandError("BadValue", "batchSize value must be non-negative");
  const docs = await selectFromNamespace(ctx, name, filter, {
    sort: optionalDocument(command, "sort"),
    skip,
    limit,
    hint: command.hint,
    collation: effectiveCollation(ctx, name, optionalDocument(command, "collation")),
    variables: evaluateLet(command),
    cover: coverOf(projection),
  });
  const projected = projection && Object.keys(projection).length > 0 ? docs.map((doc) => applyProjection(doc, projection, { filter })) : docs;
  const ns = `${ctx.db}.${name}`;
  return { cursor: ctx.cursors.open(ns, projected, batchSize, singleBatch), ok: 1 };
}

function getMore(command: Document, ctx: CommandContext): Document {
  const id = command.getMore;
  if (!Long.isLong(id)) throw commandError("TypeMismatch", "Field 'getMore' must be of type long");
  const coll = command.collection;
  if (typeof coll !== "string") throw commandError("TypeMismatch", "Field 'collection' must be of type string");
  const batchSize = optionalNumber(command, "batchSize");
  return { cursor: ctx.cursors.getMore(id, `${ctx.db}.${coll}`, batchSize), ok: 1 };
}

function killCursors(command: Document, ctx: CommandContext): Document {
  const ids = command.cursors;
  if (!Array.isArray(ids)) throw commandError("TypeMismatch", "Field 'cursors' must be an array");
  const asLongs = ids.map((id) => (Long.isLong(id) ? id : Long.fromNumber(Number(id))));
  return { ...ctx.cursors.kill(asLongs), cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

export const findCommands: CommandTable = {
  find,
  getmore: getMore,
  killcursors: killCursors,
};

import { randomBytes } from "node:crypto";
import type { Document } from "bson";
import { commandError, MongoCommandError } from "../errors";
import { analyzersOf } from "../query";
import type { SearchIndexSpec } from "../storage/ops";
import { collectionName, optionalDocument, requireArray } from "./args";
import type { CommandContext, CommandTable } from "./context";

/**
 * The collection's search index definitions (empty when it does not exist). They are journaled
 * like other index definitions and vanish with their collection.
 */
export function searchIndexesOf(ctx: CommandContext, collection: string): ReadonlyMap<string, SearchIndexSpec> {
  return ctx.engine.collection(ctx.db, collection)?.searchIndexes ?? new Map();
}

function checkDefinition(type: string, definition: Document): void {
  if (type === "search") {
    if (definition.mappings !== undefined && (typeof definition.mappings !== "object" || definition.mappings === null)) {
      throw commandError("InvalidOptions", "A search index definition's 'mappings' must be an object");
    }
    analyzersOf(definition);
    return;
  }
  if (type !== "vectorSearch") return;
  const fields = definition.fields;
  if (!Array.isArray(fields) || fields.length === 0) throw commandError("InvalidOptions", "A vectorSearch index definition needs a non-empty 'fields' array");
  for (const field of fields as Document[]) {
    if (typeof field.path !== "string") throw commandError("InvalidOptions", "Each vectorSearch index field needs a 'path'");
    if (field.type === "vector") {
      const dims = Number(field.numDimensions);
      if (!Number.isInteger(dims) || dims < 1 || dims > 8192) throw commandError("InvalidOptions", `numDimensions must be an integer from 1 to 8192 (path '${field.path}')`);
      if (!["cosine", "dotProduct", "euclidean"].includes(field.similarity)) {
        throw commandError("InvalidOptions", `similarity must be cosine, dotProduct or euclidean (path '${field.path}')`);
      }
    } else if (field.type !== "filter") {
      throw commandError("InvalidOptions", `Unknown vectorSearch field type '${String(field.type)}'`);
    }
  }
}

function createSearchIndexes(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const indexes = ctx.engine.ensureCollection(ctx.db, name, ctx.log).searchIndexes;
  const created: Document[] = [];
  for (const raw of requireArray(command, "indexes")) {
    const indexName = typeof raw.name === "string" ? raw.name : "default";
    const type = typeof raw.type === "string" ? raw.type : "search";
    const definition = optionalDocument(raw, "definition") ?? {};
    checkDefinition(type, definition);
    if (indexes.has(indexName)) throw new MongoCommandError(68, "IndexAlreadyExists", `Duplicate Index: index '${indexName}' already exists`);
    const index: SearchIndexSpec = { id: randomBytes(12).toString("hex"), name: indexName, type, definition };
    ctx.engine.apply({ op: "setSearchIndex", db: ctx.db, coll: name, name: indexName, index }, ctx.log);
    created.push({ id: index.id, name: indexName });
  }
  return { indexesCreated: created, ok: 1 };
}

function updateSearchIndex(command: Document, ctx: CommandContext): Document {
  const coll = collectionName(command, ctx);
  const index = searchIndexesOf(ctx, coll).get(String(command.name));
  if (!index) throw commandError("IndexNotFound", `Index '${String(command.name)}' not found`);
  const definition = optionalDocument(command, "definition") ?? {};
  checkDefinition(index.type, definition);
  ctx.engine.apply({ op: "setSearchIndex", db: ctx.db, coll, name: index.name, index: { ...index, definition } }, ctx.log);
  return { ok: 1 };
}

function dropSearchIndex(command: Document, ctx: CommandContext): Document {
  const coll = collectionName(command, ctx);
  const found = [...searchIndexesOf(ctx, coll).values()].find((index) => index.name === command.name || index.id === command.id);
  if (!found) throw commandError("IndexNotFound", `Index '${String(command.name ?? command.id)}' not found`);
  ctx.engine.apply({ op: "setSearchIndex", db: ctx.db, coll, name: found.name, index: null }, ctx.log);
  return { ok: 1 };
}

/** `$listSearchIndexes` (the driver's listSearchIndexes): the rows Atlas returns, always READY. */
export function listSearchIndexes(ctx: CommandContext, collection: string, spec: Document): Document[] {
  const indexes = [...searchIndexesOf(ctx, collection).values()];
  return indexes
    .filter((index) => (spec.name === undefined || index.name === spec.name) && (spec.id === undefined || index.id === spec.id))
    .map((index) => ({
      id: index.id,
      name: index.name,
      type: index.type,
      status: "READY",
      queryable: true,
      latestDefinition: index.definition,
    }));
}

export const searchIndexCommands: CommandTable = {
  createsearchindexes: createSearchIndexes,
  updatesearchindex: updateSearchIndex,
  dropsearchindex: dropSearchIndex,
};

import { randomBytes } from "node:crypto";
import type { Document } from "bson";
import { commandError, MongoCommandError } from "../errors";
import type { StorageEngine } from "../storage/engine";
import { collectionName, optionalDocument, requireArray } from "./args";
import type { CommandContext, CommandTable } from "./context";

/** A search index as Atlas lists it; the engine serves `vectorSearch` ones with `$vectorSearch`. */
export interface SearchIndex {
  id: string;
  name: string;
  type: string;
  definition: Document;
}

/**
 * Search index definitions by engine and namespace. Kept in memory, not journaled: like Atlas,
 * which builds them beside the data, an application (re)creates them when it starts.
 */
const registries = new WeakMap<StorageEngine, Map<string, Map<string, SearchIndex>>>();

export function searchIndexes(engine: StorageEngine, ns: string): Map<string, SearchIndex> {
  let byNs = registries.get(engine);
  if (!byNs) registries.set(engine, (byNs = new Map()));
  let indexes = byNs.get(ns);
  if (!indexes) byNs.set(ns, (indexes = new Map()));
  return indexes;
}

function checkDefinition(type: string, definition: Document): void {
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
  const indexes = searchIndexes(ctx.engine, `${ctx.db}.${name}`);
  const created: Document[] = [];
  for (const raw of requireArray(command, "indexes")) {
    const indexName = typeof raw.name === "string" ? raw.name : "default";
    const type = typeof raw.type === "string" ? raw.type : "search";
    const definition = optionalDocument(raw, "definition") ?? {};
    checkDefinition(type, definition);
    if (indexes.has(indexName)) throw new MongoCommandError(68, "IndexAlreadyExists", `Duplicate Index: index '${indexName}' already exists`);
    const index = { id: randomBytes(12).toString("hex"), name: indexName, type, definition };
    indexes.set(indexName, index);
    created.push({ id: index.id, name: indexName });
  }
  return { indexesCreated: created, ok: 1 };
}

function updateSearchIndex(command: Document, ctx: CommandContext): Document {
  const indexes = searchIndexes(ctx.engine, `${ctx.db}.${collectionName(command, ctx)}`);
  const index = indexes.get(String(command.name));
  if (!index) throw commandError("IndexNotFound", `Index '${String(command.name)}' not found`);
  const definition = optionalDocument(command, "definition") ?? {};
  checkDefinition(index.type, definition);
  index.definition = definition;
  return { ok: 1 };
}

function dropSearchIndex(command: Document, ctx: CommandContext): Document {
  const indexes = searchIndexes(ctx.engine, `${ctx.db}.${collectionName(command, ctx)}`);
  const found = [...indexes.values()].find((index) => index.name === command.name || index.id === command.id);
  if (!found) throw commandError("IndexNotFound", `Index '${String(command.name ?? command.id)}' not found`);
  indexes.delete(found.name);
  return { ok: 1 };
}

/** `$listSearchIndexes` (the driver's listSearchIndexes): the rows Atlas returns, always READY. */
export function listSearchIndexes(ctx: CommandContext, collection: string, spec: Document): Document[] {
  const indexes = [...searchIndexes(ctx.engine, `${ctx.db}.${collection}`).values()];
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

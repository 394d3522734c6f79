import type { Document } from "bson";
import { commandError } from "../errors";
import { collectionName, optionalDocument, optionalNumber, requireArray } from "./args";
import type { CommandContext, CommandTable } from "./context";
import type { Collection } from "../storage/collection";
import type { IndexSpec } from "../storage/ops";
import { valueKey } from "../storage/keys";
import { writableCollection } from "./writes";

/** Request fields that are not index options (`background` is accepted and ignored since 4.2). */
const NOT_OPTIONS = new Set(["key", "name", "v", "ns", "background"]);

function normalizeSpec(raw: Document): IndexSpec {
  const key = raw.key;
  if (typeof key !== "object" || key === null || Array.isArray(key) || Object.keys(key).length === 0) {
    throw commandError("CannotCreateIndex", "Index keys cannot be empty.");
  }
  if (typeof raw.name !== "string" || raw.name.length === 0) throw commandError("CannotCreateIndex", "index name must be a non-empty string");
  const spec: IndexSpec = { v: 2, key: key as Document, name: raw.name };
  for (const [option, value] of Object.entries(raw)) {
    if (NOT_OPTIONS.has(option)) continue;
    if ((option === "unique" || option === "sparse") && !value) continue;
    spec[option] = value;
  }
  if (spec.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(spec.expireAfterSeconds);
  return spec;
}

function optionsKey(spec: IndexSpec): string {
  const { v: _v, key: _key, name: _name, ...options } = spec;
  return valueKey(options);
}

/** Whether `spec` is already present; throws when it conflicts with an existing index. */
function alreadyExists(coll: Collection, spec: IndexSpec): boolean {
  for (const existing of coll.indexSpecs()) {
    const sameKey = valueKey(existing.key) === valueKey(spec.key);
    if (existing.name === spec.name) {
      if (!sameKey) {
        throw commandError("IndexKeySpecsConflict", `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`);
      }
      if (existing.name === "_id_" || optionsKey(existing) === optionsKey(spec)) return true;
      throw commandError("IndexOptionsConflict", `An existing index has the same name as the requested index but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing)}`);
    }
    if (sameKey && optionsKey(existing) === optionsKey(spec)) {
      throw commandError("IndexOptionsConflict", `Index already exists with a different name: ${existing.name}`);
    }
  }
  return false;
}

function createIndexes(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const specs = requireArray(command, "indexes").map(normalizeSpec);
  const createdCollectionAutomatically = !ctx.engine.collection(ctx.db, name);
  const coll = writableCollection(ctx, name);
  const numIndexesBefore = coll.indexSpecs().length;
  const defaultCollation = coll.options.collation as Document | undefined;
  for (const spec of specs) {
    // An index without its own collation takes the collection's default, as in mongod.
    if (spec.collation === undefined && defaultCollation && defaultCollation.locale !== "simple") spec.collation = defaultCollation;
    if (alreadyExists(coll, spec)) continue;
    ctx.engine.apply({ op: "createIndex", db: ctx.db, coll: name, spec }, ctx.log);
  }
  const numIndexesAfter = coll.indexSpecs().length;
  const reply: Document = { numIndexesBefore, numIndexesAfter, createdCollectionAutomatically };
  if (numIndexesAfter === numIndexesBefore) reply.note = "all indexes already exist";
  reply.ok = 1;
  return reply;
}

function listIndexes(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw commandError("NamespaceNotFound", `ns does not exist: ${ctx.db}.${name}`);
  const batchSize = optionalNumber(optionalDocument(command, "cursor") ?? {}, "batchSize");
  return { cursor: ctx.cursors.open(coll.ns, coll.indexSpecs(), batchSize), ok: 1 };
}

function dropIndexes(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw commandError("NamespaceNotFound", `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexSpecs().length;
  const target = command.index;
  let names: string[];
  if (target === "*") {
    names = coll.indexes.map((index) => index.name);
  } else if (typeof target === "string") {
    names = [target];
  } else if (Array.isArray(target)) {
    names = target.map(String);
  } else if (typeof target === "object" && target !== null) {
    const wanted = valueKey(target);
    const found = coll.indexSpecs().find((spec) => valueKey(spec.key) === wanted);
    if (!found) throw commandError("IndexNotFound", `can't find index with key: ${JSON.stringify(target)}`);
    names = [found.name];
  } else {
    throw commandError("TypeMismatch", "Field 'index' must be a string, an array of strings or an index key pattern");
  }
  for (const indexName of names) {
    if (indexName === "_id_") throw commandError("InvalidOptions", "cannot drop _id index");
    if (!coll.findIndex(indexName)) throw commandError("IndexNotFound", `index not found with name [${indexName}]`);
  }
  for (const indexName of names) ctx.engine.apply({ op: "dropIndex", db: ctx.db, coll: name, name: indexName }, ctx.log);
  return { nIndexesWas, ok: 1 };
}

export const indexCommands: CommandTable = {
  createindexes: createIndexes,
  listindexes: listIndexes,
  dropindexes: dropIndexes,
  deleteindexes: dropIndexes,
};

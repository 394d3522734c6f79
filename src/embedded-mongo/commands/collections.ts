import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter, setOwn } from "../query";
import { collectionName, optionalDocument, optionalNumber, boolOption } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { ID_INDEX } from "../storage/collection";
import { missingStorageStats, scaleOf, storageStats } from "./stats";
import type { Collection } from "../storage/collection";
import { valueKey } from "../storage/keys";
import { GENERIC_FIELDS } from "./args";

function create(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  if (command.viewOn !== undefined) {
    if (typeof command.viewOn !== "string") throw commandError("TypeMismatch", "'viewOn' must be a string");
    if (command.pipeline !== undefined && !Array.isArray(command.pipeline)) throw commandError("TypeMismatch", "'pipeline' must be an array");
  }
  // Accepting these and storing an ordinary collection would fail silently later; say so now.
  if (command.capped) throw commandError("NotImplemented", "capped collections are not supported by the embedded engine");
  if (command.timeseries !== undefined) throw commandError("NotImplemented", "time-series collections are not supported by the embedded engine");
  const options: Document = {};
  for (const [key, value] of Object.entries(command)) if (key !== "create" && !GENERIC_FIELDS.has(key)) setOwn(options, key, value);
  ctx.engine.apply({ op: "createCollection", db: ctx.db, coll: name, options }, ctx.log);
  return { ok: 1 };
}

function drop(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw commandError("NamespaceNotFound", "ns not found");
  const nIndexesWas = coll.indexSpecs().length;
  ctx.engine.apply({ op: "dropCollection", db: ctx.db, coll: name }, ctx.log);
  return { nIndexesWas, ns: coll.ns, ok: 1 };
}

function listCollections(command: Document, ctx: CommandContext): Document {
  const filter = optionalDocument(command, "filter");
  const nameOnly = boolOption(command, "nameOnly", false);
  const match = filter ? compileFilter(filter) : undefined;
  const entries = ctx.engine
    .collections(ctx.db)
    .map((coll) =>
      coll.isView
        ? { name: coll.name, type: "view", options: coll.options, info: { readOnly: true } }
        : { name: coll.name, type: "collection", options: coll.options, info: { readOnly: false }, idIndex: ID_INDEX },
    )
    .filter((entry) => !match || match(entry))
    .map((entry) => (nameOnly ? { name: entry.name, type: entry.type } : entry));
  const batchSize = optionalNumber(optionalDocument(command, "cursor") ?? {}, "batchSize");
  return { cursor: ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, entries, batchSize), ok: 1 };
}

const MODIFIABLE_OPTIONS = ["validator", "validationLevel", "validationAction", "viewOn", "pipeline"];

function collMod(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw commandError("NamespaceNotFound", `ns does not exist: ${ctx.db}.${name}`);
  const reply: Document = {};
  const options = { ...coll.options };
  for (const option of MODIFIABLE_OPTIONS) if (command[option] !== undefined) options[option] = command[option];
  if (command.index !== undefined) Object.assign(reply, modifyIndex(coll, optionalDocument(command, "index") ?? {}, ctx));
  if (MODIFIABLE_OPTIONS.some((option) => command[option] !== undefined)) {
    ctx.engine.apply({ op: "setOptions", db: ctx.db, coll: name, options }, ctx.log);
  }
  reply.ok = 1;
  return reply;
}

/** collMod's index form: change expireAfterSeconds or hidden on an existing index. */
function modifyIndex(coll: Collection, change: Document, ctx: CommandContext): Document {
  const wanted = change.keyPattern ? valueKey(change.keyPattern) : undefined;
  const index = coll.indexes.find((candidate) => candidate.name === change.name || (wanted !== undefined && valueKey(candidate.spec.key) === wanted));
  if (!index) throw commandError("IndexNotFound", `cannot find index ${JSON.stringify(change.name ?? change.keyPattern)} for ns ${coll.ns}`);
  const spec = { ...index.spec };
  const reply: Document = {};
  for (const field of ["expireAfterSeconds", "hidden"]) {
    if (change[field] === undefined) continue;
    reply[`${field}_old`] = spec[field];
    reply[`${field}_new`] = change[field];
    spec[field] = field === "expireAfterSeconds" ? Number(change[field]) : change[field];
  }
  ctx.engine.apply({ op: "dropIndex", db: coll.db, coll: coll.name, name: index.name }, ctx.log);
  ctx.engine.apply({ op: "createIndex", db: coll.db, coll: coll.name, spec }, ctx.log);
  return reply;
}

function collStats(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) return { ...missingStorageStats(`${ctx.db}.${name}`, scaleOf(command)), ok: 1 };
  if (coll.isView) throw commandError("CommandNotSupportedOnView", `Namespace ${coll.ns} is a view, not a collection`);
  return { ...storageStats(coll, scaleOf(command)), ok: 1 };
}

export const collectionCommands: CommandTable = {
  create,
  drop,
  listcollections: listCollections,
  collstats: collStats,
  collmod: collMod,
};

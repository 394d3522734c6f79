import type { Document } from "bson";
import { commandError } from "../errors";
import { boolOption, collectionName } from "./args";
import type { CommandContext, CommandTable } from "./context";

/** `db.coll` split at its first dot, validated as mongod validates a namespace. */
export function parseNamespace(value: unknown, role: string): { db: string; coll: string } {
  const text = typeof value === "string" ? value : "";
  const dot = text.indexOf(".");
  const invalid = () => commandError("InvalidNamespace", `Invalid ${role} namespace: ${String(value)}`);
  if (dot <= 0) throw invalid();
  const db = text.slice(0, dot);
  const coll = text.slice(dot + 1);
  try {
    collectionName({ [role]: coll }, { db });
  } catch {
    throw invalid();
  }
  return { db, coll };
}

/**
 * Moves a collection (documents, indexes, options) to a new name, in its database or another:
 * one journal record with the target's drop, so a crash leaves either the old or the new state.
 */
function renameCollection(command: Document, ctx: CommandContext): Document {
  if (ctx.db !== "admin") throw commandError("Unauthorized", "renameCollection may only be run against the admin database.");
  if (command.to === undefined) throw commandError("Location40414", "BSON field 'renameCollection.to' is missing but a required field");
  const from = parseNamespace(command.renameCollection, "source");
  const to = parseNamespace(command.to, "target");
  if (from.coll.startsWith("system.")) throw commandError("IllegalOperation", `error with source namespace: cannot rename system collection ${from.db}.${from.coll}`);
  if (to.coll.startsWith("system.")) throw commandError("IllegalOperation", `error with target namespace: cannot rename to a system collection ${to.db}.${to.coll}`);
  const source = ctx.engine.collection(from.db, from.coll);
  if (!source) throw commandError("NamespaceNotFound", `Source collection ${from.db}.${from.coll} does not exist`);
  if (source.isView) throw commandError("CommandNotSupportedOnView", `cannot rename view: ${source.ns}`);
  if (from.db === to.db && from.coll === to.coll) throw commandError("IllegalOperation", "Can't rename a collection to itself");
  const target = ctx.engine.collection(to.db, to.coll);
  if (target) {
    // dropTarget may also be the target's UUID in mongod; any UUID drops it here.
    const dropTarget = typeof command.dropTarget === "object" && command.dropTarget !== null ? true : boolOption(command, "dropTarget", false);
    if (!dropTarget) throw commandError("NamespaceExists", "target namespace exists");
    ctx.engine.apply({ op: "dropCollection", db: to.db, coll: to.coll }, ctx.log);
  }
  ctx.engine.apply({ op: "renameCollection", db: from.db, coll: from.coll, toDb: to.db, toColl: to.coll }, ctx.log);
  return { ok: 1 };
}

export const renameCommands: CommandTable = { renamecollection: renameCollection };

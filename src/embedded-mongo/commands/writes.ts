import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter } from "../query";
import type { Collection } from "../storage/collection";
import type { CommandContext } from "./context";

/**
 * The write path shared by every command that changes documents: view and validator checks,
 * then the storage op. `bypass` is the command's bypassDocumentValidation.
 */
export function writableCollection(ctx: CommandContext, name: string, db = ctx.db): Collection {
  const coll = ctx.engine.ensureCollection(db, name, ctx.log);
  if (coll.isView) throw commandError("CommandNotSupportedOnView", `Namespace ${coll.ns} is a view, not a collection`);
  return coll;
}

/** The collection if it exists and is not a view; writes to a missing collection affect nothing. */
export function existingWritable(ctx: CommandContext, name: string, db = ctx.db): Collection | undefined {
  const coll = ctx.engine.collection(db, name);
  if (coll?.isView) throw commandError("CommandNotSupportedOnView", `Namespace ${coll.ns} is a view, not a collection`);
  return coll;
}

export function insertDocument(ctx: CommandContext, coll: Collection, doc: Document, bypass = false): void {
  if (!bypass) validate(coll, doc, undefined);
  ctx.engine.apply({ op: "insert", db: coll.db, coll: coll.name, doc }, ctx.log);
}

export function replaceDocument(ctx: CommandContext, coll: Collection, doc: Document, previous: Document, bypass = false): void {
  if (!bypass) validate(coll, doc, previous);
  ctx.engine.apply({ op: "replace", db: coll.db, coll: coll.name, doc }, ctx.log);
}

export function deleteDocument(ctx: CommandContext, coll: Collection, id: unknown): void {
  ctx.engine.apply({ op: "delete", db: coll.db, coll: coll.name, id }, ctx.log);
}

const validators = new WeakMap<Document, (doc: Document) => boolean>();

/** Collection validators with mongod's validationLevel (strict/moderate/off) and validationAction (error/warn). */
function validate(coll: Collection, doc: Document, previous: Document | undefined): void {
  const { validator, validationLevel = "strict", validationAction = "error" } = coll.options;
  if (!validator || Object.keys(validator).length === 0 || validationLevel === "off" || validationAction === "warn") return;
  let matches = validators.get(validator);
  if (!matches) validators.set(validator, (matches = compileFilter(validator)));
  if (validationLevel === "moderate" && previous && !matches(previous)) return;
  if (matches(doc)) return;
  throw commandError("DocumentValidationFailure", "Document failed validation", {
    errInfo: {
      failingDocumentId: doc._id,
      details: { operatorName: "$and", specifiedAs: validator, reason: "the document does not match the collection validator" },
    },
  });
}

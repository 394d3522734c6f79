import type { Document } from "bson";
import { commandError } from "../errors";
import { applyProjection, applyUpdate } from "../query";
import { boolOption, collectionName, optionalDocument } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { buildUpsertDocument, checkUpdatedSize } from "./documents";
import { selectDocuments } from "./select";
import { evaluateLet } from "./variables";
import { deleteDocument, existingWritable, insertDocument, replaceDocument, writableCollection } from "./writes";

function findAndModify(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const filter = optionalDocument(command, "query") ?? {};
  const remove = boolOption(command, "remove", false);
  const update = command.update as Document | Document[] | undefined;
  const returnNew = boolOption(command, "new", false);
  const upsert = boolOption(command, "upsert", false);
  const fields = optionalDocument(command, "fields");
  const variables = evaluateLet(command);
  if (remove && update !== undefined) throw commandError("FailedToParse", "Cannot specify both an update and remove=true");
  if (!remove && update === undefined) throw commandError("FailedToParse", "Either an update or remove=true must be specified");
  if (remove && upsert) throw commandError("FailedToParse", "Cannot specify both upsert=true and remove=true");
  if (remove && returnNew) throw commandError("FailedToParse", "Cannot specify both new=true and remove=true; 'remove' always returns the deleted document");
  if (update !== undefined && (typeof update !== "object" || update === null)) {
    throw commandError("FailedToParse", "Update argument must be either an object or an array");
  }

  const bypass = boolOption(command, "bypassDocumentValidation", false);
  const coll = existingWritable(ctx, name);
  const [current] = selectDocuments(coll, filter, {
    sort: optionalDocument(command, "sort"),
    limit: 1,
    hint: command.hint,
    collation: effectiveCollation(ctx, name, optionalDocument(command, "collation")),
    variables,
  });
  const project = (doc: Document | undefined) => (doc && fields ? applyProjection(doc, fields, { filter }) : (doc ?? null));

  if (remove) {
    if (!coll || !current) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    deleteDocument(ctx, coll, current._id);
    return { lastErrorObject: { n: 1 }, value: project(current), ok: 1 };
  }

  const spec = { update: update as Document | Document[], arrayFilters: command.arrayFilters as Document[] | undefined, variables };
  if (coll && current) {
    const result = applyUpdate(current, spec.update, { arrayFilters: spec.arrayFilters, variables, filter });
    if (result.modified) {
      checkUpdatedSize(result.doc);
      replaceDocument(ctx, coll, result.doc, current, bypass);
    }
    return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(returnNew ? result.doc : current), ok: 1 };
  }
  if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const doc = buildUpsertDocument(filter, spec);
  insertDocument(ctx, writableCollection(ctx, name), doc, bypass);
  return {
    lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
    value: returnNew ? project(doc) : null,
    ok: 1,
  };
}

export const findAndModifyCommands: CommandTable = { findandmodify: findAndModify };

import type { Document } from "bson";
import { commandError } from "../errors";
import { applyUpdate } from "../query";
import { boolOption, collectionName, optionalDocument, requireArray } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { buildUpsertDocument, checkUpdatedSize, writeError } from "./documents";
import { selectDocuments } from "./select";
import { evaluateLet, evaluateVariables } from "./variables";
import { existingWritable, insertDocument, replaceDocument, writableCollection } from "./writes";

/** Running totals of an update command; a multi-update that fails midway keeps what it already did, like mongod. */
export interface UpdateTotals {
  n: number;
  nModified: number;
}

/**
 * Runs one update statement (the update command's `{q, u, c, multi, upsert, arrayFilters, hint,
 * collation, sort}`; bulkWrite's update ops are mapped to it), adding to `totals`; returns the
 * _id it upserted, if any. `ctx.db` is the statement's database.
 */
export function runUpdateStatement(statement: Document, name: string, ctx: CommandContext, variables: Document | undefined, bypass: boolean, totals: UpdateTotals): unknown {
  const filter = optionalDocument(statement, "q") ?? {};
  const update = statement.u;
  if (typeof update !== "object" || update === null) throw commandError("FailedToParse", "Update argument must be either an object or an array");
  const multi = boolOption(statement, "multi", false);
  // 8.0: a single-document update may say which match it changes; a multi-update changes them all.
  const sort = optionalDocument(statement, "sort");
  if (sort && multi) throw commandError("FailedToParse", "Cannot specify sort with multi=true");
  const spec = {
    update: update as Document | Document[],
    arrayFilters: statement.arrayFilters as Document[] | undefined,
    variables: statement.c ? { ...variables, ...evaluateVariables(statement.c) } : variables,
  };
  if (multi && !Array.isArray(update) && !Object.keys(update).some((key) => key.startsWith("$")) && Object.keys(update).length > 0) {
    throw commandError("FailedToParse", "multi update is not supported for replacement-style update");
  }
  const coll = existingWritable(ctx, name);
  const matches = selectDocuments(coll, filter, {
    limit: multi ? 0 : 1,
    sort,
    hint: statement.hint,
    collation: effectiveCollation(ctx, name, optionalDocument(statement, "collation")),
    variables: spec.variables,
  });
  if (!coll || matches.length === 0) {
    if (!boolOption(statement, "upsert", false)) return undefined;
    const doc = buildUpsertDocument(filter, spec);
    insertDocument(ctx, writableCollection(ctx, name), doc, bypass);
    totals.n++;
    return doc._id;
  }
  for (const current of matches) {
    const result = applyUpdate(current, spec.update, { arrayFilters: spec.arrayFilters, variables: spec.variables, filter });
    if (result.modified) {
      checkUpdatedSize(result.doc);
      replaceDocument(ctx, coll, result.doc, current, bypass);
      totals.nModified++;
    }
    totals.n++;
  }
  return undefined;
}

function update(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const statements = requireArray(command, "updates");
  const ordered = boolOption(command, "ordered", true);
  const variables = evaluateLet(command);
  const bypass = boolOption(command, "bypassDocumentValidation", false);
  const writeErrors: Document[] = [];
  const upserted: Document[] = [];
  const totals: UpdateTotals = { n: 0, nModified: 0 };
  for (let index = 0; index < statements.length; index++) {
    try {
      const upsertedId = runUpdateStatement(statements[index], name, ctx, variables, bypass, totals);
      if (upsertedId !== undefined) upserted.push({ index, _id: upsertedId });
    } catch (error) {
      writeErrors.push(writeError(error, index));
      if (ordered) break;
    }
  }
  const reply: Document = { n: totals.n, nModified: totals.nModified };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return reply;
}

export const updateCommands: CommandTable = { update };

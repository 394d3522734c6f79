import type { Document } from "bson";
import { commandError } from "../errors";
import { boolOption, collectionName, optionalDocument, optionalNumber, requireArray } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { writeError } from "./documents";
import { selectDocuments } from "./select";
import { evaluateLet } from "./variables";
import { deleteDocument, existingWritable } from "./writes";

/**
 * Runs one delete statement (`{q, limit, hint, collation}`; bulkWrite's delete ops are mapped to
 * it) and returns the number deleted. `ctx.db` is the statement's database.
 */
export function runDeleteStatement(statement: Document, name: string, ctx: CommandContext, variables: Document | undefined): number {
  const filter = optionalDocument(statement, "q");
  if (!filter) throw commandError("FailedToParse", "delete statement requires a 'q' filter document");
  const limit = optionalNumber(statement, "limit") ?? 0;
  if (limit !== 0 && limit !== 1) throw commandError("FailedToParse", "The limit field in delete objects must be 0 or 1");
  const coll = existingWritable(ctx, name);
  // Selected even when the collection is missing: the filter is parsed (and refused) either way.
  const matches = selectDocuments(coll, filter, {
    limit,
    hint: statement.hint,
    collation: effectiveCollation(ctx, name, optionalDocument(statement, "collation")),
    variables,
  });
  if (!coll) return 0;
  for (const doc of matches) deleteDocument(ctx, coll, doc._id);
  return matches.length;
}

function deleteCommand(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const statements = requireArray(command, "deletes");
  const ordered = boolOption(command, "ordered", true);
  const variables = evaluateLet(command);
  const writeErrors: Document[] = [];
  let n = 0;
  for (let index = 0; index < statements.length; index++) {
    try {
      n += runDeleteStatement(statements[index], name, ctx, variables);
    } catch (error) {
      writeErrors.push(writeError(error, index));
      if (ordered) break;
    }
  }
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

export const deleteCommands: CommandTable = { delete: deleteCommand };

import type { Document } from "bson";
import { boolOption, collectionName, requireArray } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { prepareForInsert, writeError } from "./documents";
import { insertDocument, writableCollection } from "./writes";

function insert(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const documents = requireArray(command, "documents");
  const ordered = boolOption(command, "ordered", true);
  const bypass = boolOption(command, "bypassDocumentValidation", false);
  const coll = writableCollection(ctx, name);
  const writeErrors: Document[] = [];
  let n = 0;
  for (let i = 0; i < documents.length; i++) {
    try {
      insertDocument(ctx, coll, prepareForInsert(documents[i]), bypass);
      n++;
    } catch (error) {
      writeErrors.push(writeError(error, i));
      if (ordered) break;
    }
  }
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

export const insertCommands: CommandTable = { insert };

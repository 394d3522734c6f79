import type { Document } from "bson";
import { boolOption, collectionName, requireArray } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { prepareForInsert, writeError } from "./documents";

function insert(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const documents = requireArray(command, "documents");
  const ordered = boolOption(command, "ordered", true);
  const coll = ctx.engine.ensureCollection(ctx.db, name, ctx.log);
  const writeErrors: Document[] = [];
  let n = 0;
  for (let i = 0; i < documents.length; i++) {
    try {
      ctx.engine.apply({ op: "insert", db: ctx.db, coll: coll.name, doc: prepareForInsert(documents[i]) }, ctx.log);
      n++;
    } catch (error) {
      writeErrors.push(writeError(error, i));
      if (ordered) break;
    }
  }
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

export const insertCommands: CommandTable = { insert };

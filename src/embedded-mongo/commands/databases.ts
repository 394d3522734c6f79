import type { Document } from "bson";
import { boolOption, optionalDocument, validateDbName } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { compileFilter } from "../query";
import { databaseStats, scaleOf } from "./stats";

/** Bytes a database holds, documents and index entries, as listDatabases' sizeOnDisk. */
function databaseSize(ctx: CommandContext, db: string): number {
  return databaseStats(db, ctx.engine.collections(db), 1).totalSize;
}

function listDatabases(command: Document, ctx: CommandContext): Document {
  const filter = optionalDocument(command, "filter");
  const match = filter ? compileFilter(filter) : undefined;
  const nameOnly = boolOption(command, "nameOnly", false);
  const databases = ctx.engine
    .databaseNames()
    .map((name) => {
      const sizeOnDisk = nameOnly ? 0 : databaseSize(ctx, name);
      return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
    })
    .filter((entry) => !match || match(entry))
    .map((entry) => (nameOnly ? { name: entry.name } : entry));
  const totalSize = databases.reduce((total, entry) => total + ((entry as Document).sizeOnDisk ?? 0), 0);
  return nameOnly ? { databases, ok: 1 } : { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
}

function dropDatabase(_command: Document, ctx: CommandContext): Document {
  validateDbName(ctx.db);
  if (ctx.engine.collections(ctx.db).length > 0) ctx.engine.apply({ op: "dropDatabase", db: ctx.db }, ctx.log);
  return { dropped: ctx.db, ok: 1 };
}

function dbStats(command: Document, ctx: CommandContext): Document {
  validateDbName(ctx.db);
  return { ...databaseStats(ctx.db, ctx.engine.collections(ctx.db), scaleOf(command)), ok: 1 };
}

export const databaseCommands: CommandTable = {
  listdatabases: listDatabases,
  dropdatabase: dropDatabase,
  dbstats: dbStats,
};

import type { CommandStartedEvent } from "mongodb";
import mongoose from "mongoose";
import { joinedCollections } from "../../src/lib/filter-tags";

/**
 * Collections that only background workers touch (chapter indexing after addChapter, the
 * ingestion poll, AI usage records, the stored-size figures read every 5 s): their calls may
 * fall inside the window by chance.
 */
const BACKGROUND_COLLECTIONS = new Set(["embeddings", "uploads", "ai_usage", "jobs", "stored_sizes"]);

/**
 * Every collection method mongoose sends to the database of the in-process server while `work`
 * runs, as `collection.method`, sorted; only those of `collections` when given.
 */
export async function databaseCalls(work: () => Promise<unknown>, collections?: readonly string[]): Promise<string[]> {
  const calls: string[] = [];
  mongoose.set("debug", (collection: string, method: string) => {
    if (collections ? collections.includes(collection) : !BACKGROUND_COLLECTIONS.has(collection)) calls.push(`${collection}.${method}`);
  });
  try {
    await work();
  } finally {
    mongoose.set("debug", false);
  }
  return calls.sort();
}

/**
 * Every command the in-process server's driver sends while `work` runs (the server needs
 * DB_COMMAND_MONITORING on), as `collection.command`, in the order sent: the database-level
 * commands of `readTogether` and `writeTogether` too, which mongoose does not see (their
 * "collection" is `1`, and `aggregate` names the collections its `$lookup`s read).
 */
export async function databaseCommands(work: () => Promise<unknown>): Promise<string[]> {
  const commands: string[] = [];
  await whileSending(work, (event) => {
    const collection = String(event.command[event.commandName]);
    if (BACKGROUND_COLLECTIONS.has(collection)) return;
    const joined = event.commandName === "aggregate" && collection === "1" ? `(${joinedCollections(event.command.pipeline).join(",")})` : "";
    commands.push(`${collection}.${event.commandName}${joined}`);
  });
  return commands;
}

/** Runs `work`, handing `started` every command the in-process server's driver sends meanwhile (DB_COMMAND_MONITORING on). */
export async function whileSending(work: () => Promise<unknown>, started: (event: CommandStartedEvent) => void): Promise<void> {
  const client = mongoose.connection.getClient();
  client.on("commandStarted", started);
  try {
    await work();
  } finally {
    client.off("commandStarted", started);
  }
}

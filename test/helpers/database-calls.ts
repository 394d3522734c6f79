import mongoose from "mongoose";

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

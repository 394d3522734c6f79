import { open, readdir, type FileHandle } from "node:fs/promises";

/**
 * The files of a data directory:
 * - `snapshot.bson`: the catalog as of the start of journal generation N (named in its header);
 * - `journal.<N>.bson`: every acknowledged change since, one record per command;
 * - `snapshot.bson.tmp`: a snapshot being written (never read; removed at start-up);
 * - `embedded-mongo.lock`: the pid of the process serving the directory;
 * - `embedded-mongo.uri`: where that process listens, so that a tool can reach the data it holds.
 */
export const SNAPSHOT_FILE = "snapshot.bson";
export const SNAPSHOT_TEMP_FILE = "snapshot.bson.tmp";
export const LOCK_FILE = "embedded-mongo.lock";
export const URI_FILE = "embedded-mongo.uri";
const JOURNAL_PATTERN = /^journal\.(\d+)\.bson$/;

export function journalFile(generation: number): string {
  return `journal.${String(generation).padStart(10, "0")}.bson`;
}

/** Journal generations present in `dir`, oldest first. */
export async function listJournals(dir: string): Promise<number[]> {
  const generations: number[] = [];
  for (const name of await readdir(dir)) {
    const match = JOURNAL_PATTERN.exec(name);
    if (match) generations.push(Number(match[1]));
  }
  return generations.sort((a, b) => a - b);
}

/** Makes creations, renames and deletions in `dir` durable: fsync of a file does not cover its directory entry. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** FileHandle.write may write less than asked; loops until every byte is written at `position`. */
export async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

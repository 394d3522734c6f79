import { open, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Document } from "bson";
import type { StorageEngine } from "../storage/engine";
import type { StorageOp } from "../storage/ops";
import { journalFile, listJournals, SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, syncDirectory } from "./files";
import { scanRecords, type ScanResult } from "./records";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION } from "./snapshot";

/** Where the loaded directory stands: the journal to append to, and the sizes compaction compares. */
export interface LoadedState {
  generation: number;
  journalBytes: number;
  snapshotBytes: number;
}

/** The directory holds something start-up must not guess about (a damaged snapshot or a damaged older journal). */
export class DataDirCorruptError extends Error {
  constructor(message: string) {
    super(`embedded-mongo: ${message}`);
    this.name = "DataDirCorruptError";
  }
}

/**
 * Rebuilds the catalog from the snapshot and the journals after it, replaying every op through
 * `engine.apply` exactly as live writes apply them. A torn or corrupt tail of the newest journal
 * (a crash mid-append: never acknowledged) is cut off. Leftovers of an interrupted compaction are
 * settled: a temporary snapshot is removed, journals older than the snapshot are deleted.
 */
export async function loadDataDir(dir: string, engine: StorageEngine): Promise<LoadedState> {
  await rm(join(dir, SNAPSHOT_TEMP_FILE), { force: true });
  const snapshot = await loadSnapshot(dir, engine);
  const journals = await listJournals(dir);
  const obsolete = journals.filter((generation) => generation < snapshot.generation);
  for (const generation of obsolete) await unlink(join(dir, journalFile(generation)));
  const live = journals.filter((generation) => generation >= snapshot.generation);

  let journalBytes = 0;
  for (const [i, generation] of live.entries()) {
    const path = join(dir, journalFile(generation));
    const handle = await open(path, "r+");
    try {
      const scan = await scanRecords(handle, (ops, offset) => replay(engine, ops, path, offset));
      if (scan.problem) {
        if (i < live.length - 1) throw new DataDirCorruptError(`${path} is damaged (${scan.problem}) and a newer journal follows it`);
        process.emitWarning(`embedded-mongo: cut ${scan.fileBytes - scan.validBytes} bytes of unacknowledged tail from ${path} (${scan.problem})`);
        await handle.truncate(scan.validBytes);
        await handle.sync();
      }
      journalBytes = scan.validBytes;
    } finally {
      await handle.close();
    }
  }
  if (obsolete.length > 0) await syncDirectory(dir);
  return { generation: live.at(-1) ?? snapshot.generation, journalBytes, snapshotBytes: snapshot.bytes };
}

async function loadSnapshot(dir: string, engine: StorageEngine): Promise<{ generation: number; bytes: number }> {
  const path = join(dir, SNAPSHOT_FILE);
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { generation: 1, bytes: 0 };
    throw error;
  }
  try {
    let header: Document | undefined;
    const scan: ScanResult = await scanRecords(handle, (docs, offset) => {
      if (header) return replay(engine, docs, path, offset);
      header = docs[0];
      if (docs.length !== 1 || header.format !== SNAPSHOT_FORMAT || header.version !== SNAPSHOT_VERSION || !Number.isSafeInteger(header.journal)) {
        throw new DataDirCorruptError(`${path} does not start with a version ${SNAPSHOT_VERSION} snapshot header`);
      }
    });
    // A snapshot only becomes visible, by rename, after it was completely written and fsync'd.
    if (scan.problem || !header) throw new DataDirCorruptError(`${path} is damaged (${scan.problem ?? "empty"})`);
    return { generation: header.journal as number, bytes: scan.validBytes };
  } finally {
    await handle.close();
  }
}

function replay(engine: StorageEngine, ops: Document[], path: string, offset: number): void {
  for (const op of ops) {
    try {
      engine.apply(op as StorageOp);
    } catch (error) {
      throw new DataDirCorruptError(`cannot replay ${String(op.op)} on ${String(op.db)}.${String(op.coll)} from ${path} at offset ${offset}: ${(error as Error).message}`);
    }
  }
}

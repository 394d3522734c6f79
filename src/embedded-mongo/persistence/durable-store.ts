import { mkdir, unlink } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { StorageEngine } from "../storage/engine";
import type { Persistence, StorageOp } from "../storage/ops";
import { journalFile, listJournals, syncDirectory } from "./files";
import { JournalWriter } from "./journal";
import { loadDataDir } from "./loader";
import { acquireLock } from "./lock";
import { encodeRecord } from "./records";
import { captureCatalog, writeSnapshot } from "./snapshot";

/** When compaction runs: once the journal is both larger than `factor` x the snapshot and larger than `minJournalBytes`. */
export interface CompactionOptions {
  /** Default 2. */
  factor?: number;
  /** Keeps a small database from compacting on every few writes. Default 64 MiB. */
  minJournalBytes?: number;
}

const DEFAULT_FACTOR = 2;
const DEFAULT_MIN_JOURNAL_BYTES = 64 * 1024 * 1024;

/**
 * A data directory served by one engine: the lock, the catalog loaded from disk, and the
 * persistence hook that makes each command's ops durable (one journal record per command)
 * before its reply goes out. Compaction runs in the background when the journal has outgrown
 * the snapshot.
 */
export class DurableStore implements Persistence {
  readonly engine: StorageEngine;
  private writer!: JournalWriter;
  private snapshotBytes = 0;
  private compaction?: Promise<void>;
  private readonly factor: number;
  private readonly minJournalBytes: number;

  private constructor(
    readonly dir: string,
    private readonly releaseLock: () => Promise<void>,
    compaction: CompactionOptions,
  ) {
    this.engine = new StorageEngine(this);
    this.factor = compaction.factor ?? DEFAULT_FACTOR;
    this.minJournalBytes = compaction.minJournalBytes ?? DEFAULT_MIN_JOURNAL_BYTES;
  }

  static async open(dataDir: string, compaction: CompactionOptions = {}): Promise<DurableStore> {
    const dir = resolve(dataDir);
    const created = await mkdir(dir, { recursive: true });
    if (created) {
      for (let made = dir; made !== dirname(created); made = dirname(made)) await syncDirectory(dirname(made));
    }
    const release = await acquireLock(dir);
    try {
      const store = new DurableStore(dir, release, compaction);
      const loaded = await loadDataDir(dir, store.engine);
      store.snapshotBytes = loaded.snapshotBytes;
      store.writer = await JournalWriter.open(dir, loaded.generation, loaded.journalBytes);
      await syncDirectory(dir);
      return store;
    } catch (error) {
      await release();
      throw error;
    }
  }

  commit(ops: readonly StorageOp[]): Promise<void> {
    const durable = this.writer.append(encodeRecord(ops));
    if (!this.compaction && this.writer.bytes > Math.max(this.minJournalBytes, this.factor * this.snapshotBytes)) {
      this.compaction = this.compact().finally(() => (this.compaction = undefined));
    }
    return durable;
  }

  /** Waits for a running compaction and for every acknowledged write to be on disk, then unlocks the directory. */
  async close(): Promise<void> {
    await this.compaction;
    await this.writer.close();
    await this.releaseLock();
  }

  /**
   * Snapshot and journal cut happen in the same synchronous step, so the snapshot holds exactly
   * the ops before the new generation. A failure leaves the previous snapshot and every journal
   * in place, which still load; the next commit past the threshold tries again.
   */
  private async compact(): Promise<void> {
    const images = captureCatalog(this.engine);
    const generation = this.writer.rotate();
    try {
      this.snapshotBytes = await writeSnapshot(this.dir, images, generation);
      for (const older of await listJournals(this.dir)) {
        if (older < generation) await unlink(join(this.dir, journalFile(older)));
      }
      await syncDirectory(this.dir);
    } catch (error) {
      process.emitWarning(`embedded-mongo: compaction of ${this.dir} failed, will retry: ${(error as Error).message}`);
    }
  }
}

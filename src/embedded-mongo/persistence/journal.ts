import { constants } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { journalFile, syncDirectory, writeFully } from "./files";

interface PendingRecord {
  kind: "record";
  bytes: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Everything queued before it belongs to the old generation, everything after to `generation`. */
interface Rotation {
  kind: "rotate";
  generation: number;
}

type Entry = PendingRecord | Rotation;

/**
 * Appends records to the current journal generation with group commit: records that arrive while
 * an fsync is in flight are written together and share the next one, so many concurrent writers
 * cost one fsync per round instead of one each. An append resolves only once its bytes are
 * fdatasync'd. Records reach the disk in append order, and a rotation starts the next generation
 * only after every record of the previous one is durable, so a journal never depends on a torn
 * record of an older one.
 *
 * A write or fsync failure is permanent: every pending and later append is rejected, because the
 * in-memory catalog has moved ahead of what the disk can be trusted to hold.
 */
export class JournalWriter {
  private queue: Entry[] = [];
  private flushing?: Promise<void>;
  private failure?: Error;
  /** Bytes in the current generation, including records still queued. */
  private currentBytes: number;

  constructor(
    private readonly dir: string,
    private handle: FileHandle,
    private currentGeneration: number,
    private position: number,
  ) {
    this.currentBytes = position;
  }

  /** Opens a generation for appending at `size` (the end of its last intact record), creating the file when missing. */
  static async open(dir: string, generation: number, size: number): Promise<JournalWriter> {
    const handle = await open(join(dir, journalFile(generation)), constants.O_RDWR | constants.O_CREAT);
    return new JournalWriter(dir, handle, generation, size);
  }

  get generation(): number {
    return this.currentGeneration;
  }

  get bytes(): number {
    return this.currentBytes;
  }

  append(bytes: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: "record", bytes, resolve, reject });
      this.currentBytes += bytes.length;
      this.kick();
    });
  }

  /** Cuts the journal here: later appends go to the next generation, whose number is returned. */
  rotate(): number {
    this.currentGeneration++;
    this.currentBytes = 0;
    this.queue.push({ kind: "rotate", generation: this.currentGeneration });
    this.kick();
    return this.currentGeneration;
  }

  /** Waits until everything appended so far is durable (or has failed), then closes the file. */
  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.failure ??= new Error(`embedded-mongo: the journal in ${this.dir} is closed`);
    await this.handle.close();
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flush().finally(() => {
      this.flushing = undefined;
      // An append can land after the loop saw an empty queue but before this callback ran.
      if (this.queue.length > 0 && !this.failure) this.kick();
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0 && !this.failure) {
      const next = this.queue[0];
      if (next.kind === "rotate") {
        this.queue.shift();
        await this.guard([], () => this.switchTo(next.generation));
        continue;
      }
      const cut = this.queue.findIndex((entry) => entry.kind === "rotate");
      const batch = this.queue.splice(0, cut < 0 ? this.queue.length : cut) as PendingRecord[];
      const written = await this.guard(batch, async () => {
        const bytes = Buffer.concat(batch.map((record) => record.bytes));
        await writeFully(this.handle, bytes, this.position);
        await this.handle.datasync();
        this.position += bytes.length;
      });
      if (written) for (const record of batch) record.resolve();
    }
  }

  private async switchTo(generation: number): Promise<void> {
    const handle = await open(join(this.dir, journalFile(generation)), "wx");
    await syncDirectory(this.dir);
    await this.handle.close();
    this.handle = handle;
    this.position = 0;
  }

  /** Runs one I/O step; on failure rejects `batch` and everything queued, and refuses all later appends. */
  private async guard(batch: PendingRecord[], step: () => Promise<void>): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (error) {
      this.failure = new Error(`embedded-mongo: journal write failed in ${this.dir}, refusing further writes: ${(error as Error).message}`);
      const pending = [...batch, ...this.queue.filter((entry): entry is PendingRecord => entry.kind === "record")];
      this.queue = [];
      for (const record of pending) record.reject(this.failure);
      return false;
    }
  }
}

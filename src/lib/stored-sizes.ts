import { getModelForClass, modelOptions, prop } from "@typegoose/typegoose";
import type { Logger } from "./logger";

/**
 * The largest value stored so far in a few text fields whose validation cap is far above what
 * is really stored (a chapter may hold 200,000 characters; an answer has no cap at all), as the
 * bytes it takes in a JSON answer. The response-size estimate prices these fields from here, so
 * a course of ordinary chapters can be read whole while a query that could pull the caps cannot.
 */
export type SizedField = "Chapter.content" | "ChatMessage.content";

/** Where each sized field lives, to measure what a database written before these figures holds. */
const SOURCES: Record<SizedField, { collection: string; path: string }> = {
  "Chapter.content": { collection: "chapters", path: "content" },
  "ChatMessage.content": { collection: "chat_messages", path: "content" },
};

@modelOptions({ schemaOptions: { collection: "stored_sizes", versionKey: false } })
class StoredSize {
  @prop({ type: String, required: true })
  _id!: string;

  /** JSON bytes of the largest value ever stored (never lowered: a deleted value may be restored). */
  @prop({ required: true })
  bytes!: number;
}

const StoredSizeModel = getModelForClass(StoredSize);

/** How often an instance reads what the others stored. */
const REFRESH_MS = 5_000;

/** Bytes `text` takes as a JSON string: UTF-8, escapes and quotes. */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/**
 * One per process. Writers call `note` as they store (it raises the local figure at once and the
 * shared one with `$max`); every instance reads the shared figures every few seconds, so another
 * instance's larger value is priced within REFRESH_MS.
 */
class StoredSizes {
  private readonly known = new Map<SizedField, number>();
  private timer?: NodeJS.Timeout;
  private log?: Logger;
  /** Changes whenever a figure grows: prices computed before are stale. */
  generation = 0;

  /** The largest stored value's JSON bytes, or undefined before the figures are read. */
  bytes(field: SizedField): number | undefined {
    return this.known.get(field);
  }

  /** Records `text` as stored in `field`; call before the write is acknowledged. */
  async note(field: SizedField, text: string): Promise<void> {
    const bytes = jsonBytes(text);
    if (bytes <= (this.known.get(field) ?? 0)) return;
    this.raise(field, bytes);
    await StoredSizeModel.updateOne({ _id: field }, { $max: { bytes } }, { upsert: true }).exec();
  }

  /**
   * Reads the shared figures (measuring fields that have none yet) and keeps them fresh, in the
   * background: start-up never waits for the database. Until a field's figure is known, the
   * estimate prices it from its cap.
   */
  start(log: Logger): void {
    this.log = log;
    const load = () => {
      this.load().catch((error: unknown) => this.log?.warn({ err: error }, "stored sizes: reading the figures failed; retrying"));
    };
    load();
    this.timer = setInterval(load, REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async load(): Promise<void> {
    const rows = await StoredSizeModel.find().lean().exec();
    for (const row of rows) if (row._id in SOURCES) this.raise(row._id as SizedField, row.bytes);
    for (const field of Object.keys(SOURCES) as SizedField[]) {
      if (rows.some((row) => row._id === field)) continue;
      const bytes = Math.max(await measure(field), this.known.get(field) ?? 0);
      this.raise(field, bytes);
      await StoredSizeModel.updateOne({ _id: field }, { $max: { bytes } }, { upsert: true }).exec();
    }
  }

  private raise(field: SizedField, bytes: number): void {
    if (bytes <= (this.known.get(field) ?? -1)) return;
    this.known.set(field, bytes);
    this.generation += 1;
  }
}

/** The largest JSON size of a field over its collection: once, for data stored before the figures. */
async function measure(field: SizedField): Promise<number> {
  const { collection, path } = SOURCES[field];
  const db = StoredSizeModel.db.db;
  if (!db) return 0;
  let largest = 0;
  for await (const row of db.collection(collection).find({}, { projection: { _id: 0, [path]: 1 } })) {
    const value = row[path];
    if (typeof value === "string") largest = Math.max(largest, jsonBytes(value));
  }
  return largest;
}

export const storedSizes = new StoredSizes();

import { getModelForClass, modelOptions, prop } from "@typegoose/typegoose";
import type { Logger } from "./logger";

/**
 * The largest value stored so far in a few text fields whose validation cap is far above what
 * is really stored (a chapter may hold 200,000 characters; an answer has no cap at all; a quiz
 * of 50 questions may hold 28 texts of 2,000 characters in each), as the bytes it takes in a
 * JSON answer. The response-size estimate prices these fields from here, so a course of ordinary
 * chapters or a history of ordinary attempts can be read whole while a query that could pull the
 * caps cannot.
 */
export type SizedField = "Chapter.content" | "ChatMessage.content" | "Question.text" | "GradedAnswer.text" | "Citation.quote";

/**
 * Where each sized field lives, to measure what a database written before these figures holds.
 * A path goes through arrays (`questions.options` is every option of every question).
 */
const SOURCES: Record<SizedField, { collection: string; paths: string[] }> = {
  "Chapter.content": { collection: "chapters", paths: ["content"] },
  "ChatMessage.content": { collection: "chat_messages", paths: ["content"] },
  "Question.text": {
    collection: "quizzes",
    paths: ["questions.prompt", "questions.options", "questions.accepted_answers", "questions.explanation", "generation.rejected.prompt"],
  },
  "GradedAnswer.text": { collection: "quiz_history", paths: ["answers.text"] },
  "Citation.quote": { collection: "chat_messages", paths: ["citations.quote", "claims.citations.quote"] },
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

  /** Records `texts` as stored in `field`; call before the write is acknowledged. */
  async note(field: SizedField, ...texts: string[]): Promise<void> {
    const bytes = Math.max(0, ...texts.map(jsonBytes));
    if (bytes <= (this.known.get(field) ?? 0)) return;
    this.raise(field, bytes);
    await StoredSizeModel.updateOne({ _id: field }, { $max: { bytes } }, { upsert: true }).exec();
  }

  /**
   * Reads the shared figures (measuring fields that have none yet), then keeps them fresh every
   * few seconds. Start-up waits for the first read (so the first queries are not priced at the
   * caps and refused) but not past a failure: until a field's figure is known, the estimate
   * prices it from its cap.
   */
  async start(log: Logger): Promise<void> {
    this.log = log;
    const load = () =>
      this.load().catch((error: unknown) => this.log?.warn({ err: error }, "stored sizes: reading the figures failed; retrying"));
    this.timer = setInterval(() => void load(), REFRESH_MS);
    this.timer.unref();
    await load();
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
  const { collection, paths } = SOURCES[field];
  const db = StoredSizeModel.db.db;
  if (!db) return 0;
  let largest = 0;
  const projection = Object.fromEntries([["_id", 0], ...paths.map((path) => [path, 1])]);
  for await (const row of db.collection(collection).find({}, { projection })) {
    for (const path of paths) {
      for (const value of valuesAt(row, path.split("."))) if (typeof value === "string") largest = Math.max(largest, jsonBytes(value));
    }
  }
  return largest;
}

/** Every value at `path` in `value`, through arrays at any step. */
function valuesAt(value: unknown, path: string[]): unknown[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return [value];
  if (value === null || typeof value !== "object" || !Object.hasOwn(value, path[0])) return [];
  return valuesAt((value as Record<string, unknown>)[path[0]], path.slice(1));
}

export const storedSizes = new StoredSizes();

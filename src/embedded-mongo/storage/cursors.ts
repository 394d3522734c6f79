import { BSON, Long, type Document } from "bson";
import { randomBytes } from "node:crypto";
import { commandError } from "../errors";

/**
 * mongod caps a reply batch at 16 MiB; the default first batch is 101 documents. The budget
 * leaves room for the reply's envelope (cursor id, namespace, ok), which bson must fit in one
 * buffer of about 17 MB.
 */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 16 * 1024;
const DEFAULT_FIRST_BATCH = 101;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;

interface OpenCursor {
  ns: string;
  docs: Document[];
  position: number;
  lastUsed: number;
}

/** Open cursors by id: results are materialised at open time, getMore hands out the rest. */
export class CursorManager {
  private readonly cursors = new Map<string, OpenCursor>();

  /** Builds a `cursor` reply document, keeping a cursor open when documents remain; batchSize 0 opens it empty. */
  open(ns: string, docs: Document[], batchSize: number | undefined, singleBatch = false): Document {
    const firstBatch = takeBatch(docs, 0, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = Long.ZERO;
    if (firstBatch.length < docs.length && !singleBatch) {
      id = newCursorId();
      this.cursors.set(id.toString(), { ns, docs, position: firstBatch.length, lastUsed: Date.now() });
    }
    return { id, ns, firstBatch };
  }

  getMore(id: Long, ns: string, batchSize: number | undefined): Document {
    const key = id.toString();
    const cursor = this.cursors.get(key);
    if (!cursor) throw commandError("CursorNotFound", `cursor id ${key} not found`);
    if (cursor.ns !== ns) {
      throw commandError("Unauthorized", `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    const nextBatch = takeBatch(cursor.docs, cursor.position, batchSize && batchSize > 0 ? batchSize : Infinity);
    cursor.position += nextBatch.length;
    cursor.lastUsed = Date.now();
    let replyId = id;
    if (cursor.position >= cursor.docs.length) {
      this.cursors.delete(key);
      replyId = Long.ZERO;
    }
    return { id: replyId, ns, nextBatch };
  }

  kill(ids: Long[]): { cursorsKilled: Long[]; cursorsNotFound: Long[] } {
    const cursorsKilled: Long[] = [];
    const cursorsNotFound: Long[] = [];
    for (const id of ids) (this.cursors.delete(id.toString()) ? cursorsKilled : cursorsNotFound).push(id);
    return { cursorsKilled, cursorsNotFound };
  }

  closeIdle(now = Date.now()): void {
    for (const [key, cursor] of this.cursors) if (now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(key);
  }

  get size(): number {
    return this.cursors.size;
  }
}

function takeBatch(docs: Document[], start: number, batchSize: number): Document[] {
  const limit = Math.min(docs.length, start + batchSize);
  if (limit - start <= 1) return docs.slice(start, limit);
  let bytes = 0;
  let end = start;
  while (end < limit) {
    // Each array element also costs its type byte and its index as a key ("123456\0").
    bytes += BSON.calculateObjectSize(docs[end]) + 2 + String(end - start).length;
    if (bytes > MAX_BATCH_BYTES && end > start) break;
    end++;
  }
  return docs.slice(start, end);
}

function newCursorId(): Long {
  const id = Long.fromBytesLE([...randomBytes(8)]).and(Long.MAX_VALUE);
  return id.isZero() ? Long.ONE : id;
}

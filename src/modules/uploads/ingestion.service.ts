import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { GraphQLError } from "graphql";
import mongoose, { type Types } from "mongoose";
import type { FileStore } from "../../infra/storage";
import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";
import { SourceType } from "../search/embedding.model";
import type { PassageStore } from "../search/passage-store";
import { chunkDocument, documentText } from "./chunker";
import { paragraphs, type ExtractedDocument } from "./extracted";
import { extractInWorker, type ExtractorLimits, DEFAULT_EXTRACTOR_LIMITS } from "./extractor";
import { decodeText, FileType } from "./file-type";
import { UploadModel, UploadStatus, type UploadedFile } from "./upload.model";

export interface IngestionOptions {
  /** Uploads this process ingests at once. */
  concurrency: number;
  /**
   * Of those, at most this many of one owner's: the oldest waiting upload of an owner below it is
   * claimed first, so one user's queue of large files never holds back another user's upload.
   */
  perUser: number;
  /**
   * How often to look for work another instance left behind. New uploads and reprocessing start
   * at once, and a crashed instance's lease lasts far longer, so this can be slow.
   */
  pollMs: number;
  /** Renewed by every step; an upload whose lease ran out is resumed by any instance. */
  leaseMs: number;
  extractor: ExtractorLimits;
}

export const DEFAULT_INGESTION_OPTIONS: IngestionOptions = {
  concurrency: 2,
  perUser: 1,
  pollMs: 10_000,
  leaseMs: 2 * DEFAULT_EXTRACTOR_LIMITS.timeoutMs,
  extractor: DEFAULT_EXTRACTOR_LIMITS,
};

const IN_PROGRESS = [UploadStatus.PENDING, UploadStatus.EXTRACTING, UploadStatus.EMBEDDING];
const EXTRACTED_PROGRESS = 20;
/** How many waiting uploads a claim chooses among, and how often it looks again after losing a race. */
const CLAIM_CANDIDATES = 200;
const CLAIM_TRIES = 5;
/** Claims of one attempt that may end with their process gone; the next one fails the upload. */
const MAX_CLAIMS = 2;
const INTERRUPTED = "Reading this file was interrupted twice (the server stopped while ingesting it), so it is not tried again; reprocess it to try once more";
const NO_TEXT = "No text found: the document is empty, or it is a scanned (image-only) PDF, which needs OCR first";

/** This instance no longer holds the upload (deleted, reprocessed, or its lease was taken over). */
class LeaseLost extends Error {}

type Changes = Partial<Pick<UploadedFile, "status" | "progress" | "error" | "page_count" | "chunk_count" | "text_length">>;

/**
 * Ingestion as a durable job kept on the upload itself: any instance claims a waiting upload
 * with an atomic lease, extracts, chunks and embeds it, and reports each step on the upload
 * (status, progress) and on `"UPLOAD_UPDATED"`. A process that stops releases its uploads,
 * one that crashes lets its leases run out: either way another instance (or this one after a
 * restart) resumes them, and passages already embedded are kept.
 */
export class IngestionService {
  private readonly holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  private readonly running = new Map<string, { owner: string; controller: AbortController; done: Promise<void> }>();
  private timer?: NodeJS.Timeout;
  private claiming = false;
  /** Owner -> the turn at which this instance last claimed one of their uploads. */
  private readonly served = new Map<string, number>();
  private turns = 0;
  /** A kick arrived while claiming: look again, the new work may have come after the last look. */
  private kickedWhileClaiming = false;
  private closed = false;

  constructor(
    private readonly deps: { files: FileStore; passages: PassageStore; pubSub: AppPubSub; log: Logger },
    private readonly options: IngestionOptions = DEFAULT_INGESTION_OPTIONS,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.options.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for work now (after an upload or a reprocess) instead of at the next poll. */
  kick(): void {
    if (this.closed) return;
    if (this.claiming) {
      this.kickedWhileClaiming = true;
      return;
    }
    this.claiming = true;
    this.kickedWhileClaiming = false;
    void this.claimAll()
      .catch((error: unknown) => this.deps.log.error({ err: error }, "uploads: claiming ingestion work failed"))
      .finally(() => {
        this.claiming = false;
        if (this.kickedWhileClaiming) this.kick();
      });
  }

  /** Stops this instance's ingestions after their current step; their uploads wait for the next instance. */
  async stopIngesting(id: Types.ObjectId): Promise<void> {
    const run = this.running.get(String(id));
    run?.controller.abort();
    await run?.done;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    const runs = [...this.running.values()];
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((run) => run.done));
  }

  private async claimAll(): Promise<void> {
    while (!this.closed && this.running.size < this.options.concurrency) {
      const upload = await this.claim();
      if (!upload) return;
      this.run(upload);
    }
  }

  /**
   * Claims the oldest waiting upload of the owner this instance served least recently (never
   * served first): owners take turns, so a newcomer waits for one free slot, not behind the
   * queues of everyone who uploaded before them.
   */
  private async claim(): Promise<UploadedFile | null> {
    for (let tries = 0; tries < CLAIM_TRIES; tries++) {
      const waiting = await UploadModel.find(this.claimable(), { owner_id: 1 })
        .sort({ created_at: 1 })
        .limit(CLAIM_CANDIDATES)
        .lean<Pick<UploadedFile, "_id" | "owner_id">[]>()
        .exec();
      if (waiting.length === 0) return null;
      const turn = (upload: Pick<UploadedFile, "owner_id">) => this.served.get(String(upload.owner_id)) ?? 0;
      const next = waiting.reduce((best, upload) => (turn(upload) < turn(best) ? upload : best));
      const claimed = await UploadModel.findOneAndUpdate(
        { _id: next._id, ...this.claimable() },
        { $set: { lease: { holder: this.holder, until: this.leaseEnd() } }, $inc: { claims: 1 } },
        { returnDocument: "after" },
      )
        .lean<UploadedFile>()
        .exec();
      // Another instance took it meanwhile: look again.
      if (!claimed) continue;
      this.served.set(String(claimed.owner_id), ++this.turns);
      return claimed;
    }
    return null;
  }

  private claimable() {
    return { status: { $in: IN_PROGRESS }, owner_id: { $nin: this.busyOwners() }, $or: [{ lease: null }, { "lease.until": { $lt: new Date() } }] };
  }

  /** Owners with `perUser` ingestions running here: their other uploads wait for a free turn. */
  private busyOwners(): Types.ObjectId[] {
    const counts = new Map<string, number>();
    for (const { owner } of this.running.values()) counts.set(owner, (counts.get(owner) ?? 0) + 1);
    return [...counts].filter(([, count]) => count >= this.options.perUser).map(([owner]) => new mongoose.Types.ObjectId(owner));
  }

  private run(upload: UploadedFile): void {
    const key = String(upload._id);
    const controller = new AbortController();
    const done = this.ingest(upload, controller.signal).finally(() => {
      this.running.delete(key);
      this.kick();
    });
    this.running.set(key, { owner: String(upload.owner_id), controller, done });
  }

  private async ingest(claimed: UploadedFile, signal: AbortSignal): Promise<void> {
    const log = this.deps.log.child({ uploadId: String(claimed._id) });
    try {
      if (claimed.claims > MAX_CLAIMS) throw new GraphQLError(INTERRUPTED);
      const upload = await this.update(claimed, { status: UploadStatus.EXTRACTING, progress: Math.max(claimed.progress, 5) });
      const document = await this.extract(upload);
      signal.throwIfAborted();
      const chunks = chunkDocument(document.blocks);
      if (chunks.length === 0) throw new GraphQLError(NO_TEXT);
      await this.update(upload, {
        status: UploadStatus.EMBEDDING,
        progress: Math.max(upload.progress, EXTRACTED_PROGRESS),
        page_count: document.pageCount ?? null,
        text_length: documentText(document.blocks).length,
        chunk_count: chunks.length,
      });
      const source = { type: SourceType.UPLOAD, id: upload._id, title: upload.title, ownerId: upload.owner_id };
      await this.deps.passages.store(
        source,
        chunks,
        async (stored, total) => {
          const progress = EXTRACTED_PROGRESS + Math.floor(((100 - EXTRACTED_PROGRESS - 1) * stored) / total);
          await this.update(upload, { progress });
        },
        { signal, userId: String(upload.owner_id) },
      );
      await this.update(upload, { status: UploadStatus.READY, progress: 100, error: null }, { release: true });
      log.info({ chunks: chunks.length }, "uploads: ingested");
    } catch (error) {
      await this.settle(claimed, error, signal, log);
    }
  }

  /** After a failure: record it, or hand the upload back when this instance is stopping. */
  private async settle(upload: UploadedFile, error: unknown, signal: AbortSignal, log: Logger): Promise<void> {
    try {
      if (error instanceof LeaseLost) {
        // Deleted meanwhile: what this run stored after the delete's cleanup must go too.
        if (!(await UploadModel.exists({ _id: upload._id }))) await this.deps.passages.remove(SourceType.UPLOAD, [upload._id]);
        return;
      }
      if (signal.aborted) {
        // Handed back on purpose: this claim does not count against the file.
        await UploadModel.updateOne({ _id: upload._id, "lease.holder": this.holder, attempt: upload.attempt }, { $set: { lease: null }, $inc: { claims: -1 } }).exec();
        return;
      }
      const reason = error instanceof GraphQLError ? error.message : "Ingestion failed because of an internal error";
      if (!(error instanceof GraphQLError)) log.error({ err: error }, "uploads: ingestion failed unexpectedly");
      await this.update(upload, { status: UploadStatus.FAILED, error: reason }, { release: true });
    } catch (failed) {
      if (!(failed instanceof LeaseLost)) log.error({ err: failed }, "uploads: could not record the end of an ingestion");
    }
  }

  private async extract(upload: UploadedFile): Promise<ExtractedDocument> {
    const stream = await this.deps.files.open(upload.file_id);
    if (!stream) throw new GraphQLError("The uploaded file is missing from storage; upload it again");
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    const bytes = Buffer.concat(parts);
    if (upload.file_type === FileType.TXT) {
      return { blocks: paragraphs(decodeText(bytes).slice(0, this.options.extractor.maxTextLength)).map((text) => ({ text })) };
    }
    return extractInWorker(upload.file_type, bytes, this.options.extractor);
  }

  /**
   * Stores a step and publishes it; only while this instance holds the upload's lease for this
   * attempt, renewing it. Throws LeaseLost otherwise.
   */
  private async update(upload: UploadedFile, changes: Changes, options: { release?: boolean } = {}): Promise<UploadedFile> {
    const updated = await UploadModel.findOneAndUpdate(
      { _id: upload._id, "lease.holder": this.holder, attempt: upload.attempt },
      {
        $set: { ...changes, lease: options.release ? null : { holder: this.holder, until: this.leaseEnd() } },
        $inc: { revision: 1 },
      },
      { returnDocument: "after" },
    )
      .lean<UploadedFile>()
      .exec();
    if (!updated) throw new LeaseLost();
    this.deps.pubSub.publish("UPLOAD_UPDATED", String(updated._id), updated);
    return updated;
  }

  private leaseEnd(): Date {
    return new Date(Date.now() + this.options.leaseMs);
  }
}

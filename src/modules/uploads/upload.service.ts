import type { FileUpload } from "graphql-upload-minimal";
import type { Readable } from "node:stream";
import { Types } from "mongoose";
import type { Config } from "../../config";
import type { AppPubSub } from "../../infra/pubsub";
import type { FileStore } from "../../infra/storage";
import { raise } from "../../lib/errors";
import type { DomainEventBus } from "../../lib/events";
import { findPage, type Page } from "../../lib/pagination";
import { watchStored } from "../../lib/live";
import { countBy } from "../../lib/counts";
import { UploadPolicy } from "./upload.policy";
import { SourceType } from "../search/embedding.model";
import type { PassageStore } from "../search/passage-store";
import type { UserService } from "../users/user.service";
import { CONTENT_TYPES, detectFileType, FileType } from "./file-type";
import type { IngestionService } from "./ingestion.service";
import { receiveFile } from "./read-upload";
import { UploadModel, UploadStatus, type UploadedFile, UPLOAD_TITLE_MAX_LENGTH } from "./upload.model";
import { UploadQuota } from "./upload-quota";
import { checkInflatedSize, DOCX_ZIP_LIMITS } from "./zip-limits";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";

const FINISHED = [UploadStatus.READY, UploadStatus.FAILED];

export function uploadNotFound(): never {
  return raise("NOT_FOUND", "Upload not found");
}

function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number }).code === 11000;
}

export interface UploadDownload {
  upload: UploadedFile;
  contentType: string;
  stream: Readable;
}

declare module "../../lib/events" {
  interface DomainEvents {
    /** An upload is gone: whatever other domains made from it (quizzes) goes with it (awaited). */
    "upload.deleted": { uploadId: Types.ObjectId };
  }
}

/** Uploads: the only code that reads or writes `uploads` besides ingestion's own steps. */
export class UploadService {
  constructor(
    private readonly deps: {
      config: Config["uploads"];
      files: FileStore;
      passages: PassageStore;
      /** Whose account is being deleted: an upload that arrives meanwhile is not kept. */
      users: Pick<UserService, "isLeaving">;
      ingestion: IngestionService;
      pubSub: AppPubSub;
      events: DomainEventBus;
    },
  ) {
    this.quota = new UploadQuota({ maxStoredBytes: deps.config.maxStoredBytesPerUser, maxInFlight: deps.config.maxInFlightPerUser });
  }

  private readonly quota: UploadQuota;

  async ready(): Promise<void> {
    await UploadModel.init();
  }

  /**
   * After the embedding model changed (another provider, model or size), READY uploads have no
   * passages that search may compare: queue them again, so ingestion embeds them in the new space.
   * Returns how many were queued.
   */
  async requeueOutsideActiveSpace(): Promise<number> {
    const embedded = await this.deps.passages.sourcesInActiveSpace(SourceType.UPLOAD);
    const requeued = await UploadModel.updateMany(
      { status: UploadStatus.READY, chunk_count: { $gt: 0 }, _id: { $nin: embedded } },
      { $set: { status: UploadStatus.PENDING, progress: 0, lease: null, claims: 0 }, $inc: { attempt: 1, revision: 1 } },
    ).exec();
    return requeued.modifiedCount;
  }

  /**
   * Checks the file (size, extension, content, DOCX archive) before anything is stored, then
   * stores it once per user and content and queues its ingestion. The same content uploaded
   * again by its owner returns the existing upload.
   */
  async upload(actor: Exclude<Actor, null>, file: Promise<FileUpload>, title?: string | null): Promise<UploadedFile> {
    const received = await receiveFile(file, this.deps.config.maxFileSize);
    const fileType = detectFileType(received.filename, received.bytes, this.deps.config.allowedExtensions);
    // The central directory first (no inflating), then what the entries really inflate to.
    if (fileType === FileType.DOCX) {
      await checkInflatedSize(received.bytes, { ...DOCX_ZIP_LIMITS, maxTotalInflated: this.deps.config.docxMaxInflatedBytes });
    }
    const existing = await this.bySha(actor._id, received.sha256);
    if (existing) return existing;
    await this.quota.assertCanStore(actor._id, received.bytes.length);
    const fileId = await this.deps.files.put(received.bytes, { filename: received.filename, contentType: CONTENT_TYPES[fileType] });
    try {
      const created = await UploadModel.create({
        owner_id: actor._id,
        title: title?.trim() || received.filename.replace(/\.[^.]+$/, "").slice(0, UPLOAD_TITLE_MAX_LENGTH) || received.filename,
        filename: received.filename,
        file_type: fileType,
        file_size: received.bytes.length,
        sha256: received.sha256,
        file_id: fileId,
      });
      // A transfer that ends after its owner's account began to be deleted must not leave a file behind.
      if (await this.deps.users.isLeaving(actor._id)) {
        await this.userDeleted(actor._id);
        raise("NOT_FOUND", "The account this file was sent for no longer exists");
      }
      this.deps.ingestion.kick();
      return created.toObject<UploadedFile>();
    } catch (error) {
      await this.deps.files.delete(fileId);
      // The same file sent twice at once: the other request stored it.
      if (isDuplicateKey(error)) return (await this.bySha(actor._id, received.sha256)) ?? uploadNotFound();
      throw error;
    }
  }

  /** The upload if the actor owns it (or is an admin), else null: others' uploads do not exist for them. */
  async readable(actor: Actor, id: string | Types.ObjectId): Promise<UploadedFile | null> {
    const uploadId = asObjectId(id);
    if (!uploadId || !actor) return null;
    const upload = await UploadModel.findById(uploadId).lean<UploadedFile>().exec();
    return upload && UploadPolicy.canRead(actor, upload) ? upload : null;
  }

  async readableOrFail(actor: Actor, id: string | Types.ObjectId): Promise<UploadedFile> {
    return (await this.readable(actor, id)) ?? uploadNotFound();
  }

  async list(actor: Exclude<Actor, null>, page: { skip: number; limit: number }): Promise<Page<UploadedFile>> {
    return findPage<UploadedFile>(UploadModel, { owner_id: actor._id }, { created_at: -1, _id: -1 }, page);
  }

  /** The original bytes with their content type; NOT_FOUND unless the actor may read the upload. */
  async download(actor: Actor, id: string): Promise<UploadDownload> {
    const upload = await this.readableOrFail(actor, id);
    const stream = (await this.deps.files.open(upload.file_id)) ?? uploadNotFound();
    return { upload, contentType: CONTENT_TYPES[upload.file_type], stream };
  }

  /** Starts ingestion over from the file (after a failure, or to re-embed); CONFLICT while it runs. */
  async reprocess(actor: Actor, id: string): Promise<UploadedFile> {
    const upload = await this.readableOrFail(actor, id);
    await this.quota.assertCanQueue(upload.owner_id);
    const reset = await UploadModel.findOneAndUpdate(
      { _id: upload._id, status: { $in: FINISHED } },
      {
        $set: { status: UploadStatus.PENDING, progress: 0, error: null, chunk_count: 0, page_count: null, text_length: 0, lease: null, claims: 0 },
        $inc: { attempt: 1, revision: 1 },
      },
      { returnDocument: "after" },
    )
      .lean<UploadedFile>()
      .exec();
    if (!reset) raise("CONFLICT", "The upload is being ingested; wait until it is READY or FAILED");
    await this.deps.passages.remove(SourceType.UPLOAD, [upload._id]);
    this.deps.pubSub.publish("UPLOAD_UPDATED", String(reset._id), reset);
    this.deps.ingestion.kick();
    return reset;
  }

  /**
   * Deletes the upload record first (its ingestion, here or elsewhere, stops at its next step),
   * then its passages and its file.
   */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const upload = await this.readableOrFail(actor, id);
    const deleted = await UploadModel.deleteOne({ _id: upload._id }).exec();
    if (deleted.deletedCount === 0) return false;
    await this.deps.ingestion.stopIngesting(upload._id);
    await this.deps.passages.remove(SourceType.UPLOAD, [upload._id]);
    await this.deps.files.delete(upload.file_id);
    await this.deps.events.emit("upload.deleted", { uploadId: upload._id });
    return true;
  }

  /**
   * `user.deleted`: every upload of theirs with its file and passages, and what was made from it
   * (`upload.deleted`). Here the file goes before the record, so a deletion cut short leaves a
   * record to find again, never a file nobody can reach; their ingestion stops at its next step
   * (and removes what it stored after the record went). Safe to run again.
   */
  async userDeleted(ownerId: Types.ObjectId): Promise<void> {
    const uploads = await UploadModel.find({ owner_id: ownerId }, { _id: 1, file_id: 1 }).lean<Pick<UploadedFile, "_id" | "file_id">[]>().exec();
    for (const upload of uploads) {
      await this.deps.ingestion.stopIngesting(upload._id);
      await this.deps.files.delete(upload.file_id);
      await UploadModel.deleteOne({ _id: upload._id }).exec();
      await this.deps.passages.remove(SourceType.UPLOAD, [upload._id]);
      await this.deps.events.emit("upload.deleted", { uploadId: upload._id });
    }
    await this.deps.passages.removeOwnedBy(ownerId);
  }

  /**
   * The upload's current state, then each stored change, ending once it is READY or FAILED.
   * Subscribes before reading, so no change falls between the two.
   */
  async watch(actor: Actor, id: string): Promise<AsyncIterable<UploadedFile>> {
    const upload = await this.readableOrFail(actor, id);
    const live = this.deps.pubSub.subscribe("UPLOAD_UPDATED", String(upload._id))[Symbol.asyncIterator]();
    return watchStored(
      live,
      {
        load: () => UploadModel.findById(upload._id).lean<UploadedFile>().exec(),
        version: (state) => state.revision,
        finished: (state) => FINISHED.includes(state.status),
        shown: (state) => JSON.stringify([state.status, state.progress, state.error, state.chunk_count, state.page_count, state.text_length]),
        gone: uploadNotFound,
      },
      (state) => state,
    );
  }

  /** How many uploads are in each status, for the admin dashboard. */
  countByStatus(): Promise<Map<string, number>> {
    return countBy(UploadModel, "status");
  }

  private bySha(ownerId: Types.ObjectId, sha256: string): Promise<UploadedFile | null> {
    return UploadModel.findOne({ owner_id: ownerId, sha256 }).lean<UploadedFile>().exec();
  }
}

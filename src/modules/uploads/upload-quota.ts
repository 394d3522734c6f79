import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { UploadModel, UploadStatus } from "./upload.model";

export interface UploadQuotaSettings {
  /** Bytes of uploaded files one user may keep stored. */
  maxStoredBytes: number;
  /** One user's uploads waiting for or in ingestion at once; a reprocess counts as one. */
  maxInFlight: number;
}

const IN_FLIGHT = [UploadStatus.PENDING, UploadStatus.EXTRACTING, UploadStatus.EMBEDDING];

/**
 * Per-user storage and ingestion quotas, read from the uploads themselves (every instance sees
 * the same figures). Checked before a file is stored or queued again; two uploads racing past the
 * same check can pass it together, so a user may end at most one file over.
 */
export class UploadQuota {
  constructor(private readonly settings: UploadQuotaSettings) {}

  /** Before storing `bytes` more for `ownerId`. */
  async assertCanStore(ownerId: Types.ObjectId, bytes: number): Promise<void> {
    const [used] = await UploadModel.aggregate<{ bytes: number }>([
      { $match: { owner_id: ownerId } },
      { $group: { _id: null, bytes: { $sum: "$file_size" } } },
    ]).exec();
    const usedBytes = used?.bytes ?? 0;
    const { maxStoredBytes } = this.settings;
    if (usedBytes + bytes > maxStoredBytes) {
      raise("PAYLOAD_TOO_LARGE", `Your uploads would take ${usedBytes + bytes} bytes, over your ${maxStoredBytes}-byte storage quota; delete some uploads first`, {
        usedBytes,
        maxStoredBytes,
      });
    }
    await this.assertCanQueue(ownerId);
  }

  /** Before queueing one more ingestion (a new upload or a reprocess) for `ownerId`. */
  async assertCanQueue(ownerId: Types.ObjectId): Promise<void> {
    const inFlight = await UploadModel.countDocuments({ owner_id: ownerId, status: { $in: IN_FLIGHT } }).exec();
    const { maxInFlight } = this.settings;
    if (inFlight >= maxInFlight) {
      raise("RATE_LIMITED", `You have ${inFlight} uploads being ingested, the most allowed at once; wait until one is READY or FAILED`, {
        inFlight,
        maxInFlight,
      });
    }
  }
}

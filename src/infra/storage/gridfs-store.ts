import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GridFSBucket, ObjectId, type Db } from "mongodb";
import type { FileStore, StoredFileInfo } from "./file-store";

/** Files in MongoDB's GridFS (`<bucket>.files` and `<bucket>.chunks`), shared by every API instance. */
export class GridFsFileStore implements FileStore {
  constructor(private readonly db: () => Db, private readonly bucketName = "uploads_fs") {}

  private bucket(): GridFSBucket {
    return new GridFSBucket(this.db(), { bucketName: this.bucketName });
  }

  async put(bytes: Buffer, info: StoredFileInfo): Promise<string> {
    const upload = this.bucket().openUploadStream(info.filename, { metadata: { contentType: info.contentType } });
    try {
      await pipeline(Readable.from([bytes]), upload);
    } catch (error) {
      // A failed write may have stored some chunks already.
      await this.delete(String(upload.id));
      throw error;
    }
    return String(upload.id);
  }

  async open(id: string): Promise<Readable | null> {
    if (!(await this.exists(id))) return null;
    return this.bucket().openDownloadStream(new ObjectId(id));
  }

  async delete(id: string): Promise<void> {
    if (!ObjectId.isValid(id)) return;
    const _id = new ObjectId(id);
    // GridFSBucket.delete throws when the files document is gone, even if chunks remain: delete both directly.
    await this.db().collection(`${this.bucketName}.files`).deleteOne({ _id });
    await this.db().collection(`${this.bucketName}.chunks`).deleteMany({ files_id: _id });
  }

  async exists(id: string): Promise<boolean> {
    if (!ObjectId.isValid(id)) return false;
    return (await this.db().collection(`${this.bucketName}.files`).countDocuments({ _id: new ObjectId(id) }, { limit: 1 })) > 0;
  }
}

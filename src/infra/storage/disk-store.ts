import { randomUUID } from "node:crypto";
import { createReadStream } from "node:fs";
import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { FileStore, StoredFileInfo } from "./file-store";

const ID = /^[0-9a-f-]{36}$/;

/** Files in a local directory (UPLOAD_DIR): for a single instance that prefers plain files to GridFS. */
export class DiskFileStore implements FileStore {
  constructor(private readonly dir: string) {}

  async put(bytes: Buffer, _info: StoredFileInfo): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const id = randomUUID();
    // Written aside then renamed, so a crash never leaves a partial file under a real id.
    const partial = join(this.dir, `${id}.partial`);
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, this.path(id));
    return id;
  }

  async open(id: string): Promise<Readable | null> {
    return (await this.exists(id)) ? createReadStream(this.path(id)) : null;
  }

  async delete(id: string): Promise<void> {
    if (ID.test(id)) await rm(this.path(id), { force: true });
  }

  async exists(id: string): Promise<boolean> {
    if (!ID.test(id)) return false;
    return access(this.path(id)).then(
      () => true,
      () => false,
    );
  }

  private path(id: string): string {
    return join(this.dir, id);
  }
}

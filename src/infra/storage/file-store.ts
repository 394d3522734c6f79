import type { Readable } from "node:stream";

/** What a stored file is known by besides its bytes. */
export interface StoredFileInfo {
  filename: string;
  contentType: string;
}

/**
 * Where uploaded bytes live. Services only see this port, so GridFS (several API instances share
 * it through MongoDB) and a local directory are interchangeable.
 */
export interface FileStore {
  /** Stores the bytes whole and returns the id to read them back by. */
  put(bytes: Buffer, info: StoredFileInfo): Promise<string>;
  /** The bytes as a stream; null when no file has the id. */
  open(id: string): Promise<Readable | null>;
  /** Removes the file; a missing file is not an error (deletes are retried after crashes). */
  delete(id: string): Promise<void>;
  /** Whether a file has the id. */
  exists(id: string): Promise<boolean>;
}

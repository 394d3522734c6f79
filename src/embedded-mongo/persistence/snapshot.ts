import { open, rename } from "node:fs/promises";
import { join } from "node:path";
import { BSON, type Document } from "bson";
import type { StorageEngine } from "../storage/engine";
import type { StorageOp } from "../storage/ops";
import { SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, syncDirectory, writeFully } from "./files";
import { encodeRecord, frame } from "./records";

export const SNAPSHOT_FORMAT = "embedded-mongo-snapshot";
export const SNAPSHOT_VERSION = 1;

/** The first record of a snapshot: which journal generation continues it. */
export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: number;
  journal: number;
}

/** Records are cut at about this size, so writing a snapshot yields to the event loop often. */
const RECORD_TARGET_BYTES = 1024 * 1024;

interface CollectionImage {
  db: string;
  coll: string;
  options: Document;
  indexes: StorageOp[];
  docs: Document[];
}

/**
 * The catalog at this instant, taken synchronously so no write can slip in between. It holds
 * references, not copies: stored documents are never mutated in place (the engine replaces them
 * on update), so the image stays valid while it is written out.
 */
export function captureCatalog(engine: StorageEngine): CollectionImage[] {
  const images: CollectionImage[] = [];
  for (const db of engine.databaseNames()) {
    for (const collection of engine.collections(db)) {
      images.push({
        db,
        coll: collection.name,
        options: collection.options,
        indexes: [
          ...collection.indexes.map((index): StorageOp => ({ op: "createIndex", db, coll: collection.name, spec: index.spec })),
          ...[...collection.searchIndexes.values()].map((index): StorageOp => ({ op: "setSearchIndex", db, coll: collection.name, name: index.name, index })),
        ],
        docs: [...collection.docs.values()],
      });
    }
  }
  return images;
}

/**
 * Writes `images` as a snapshot continued by journal `generation`: to a temporary file, fsync'd,
 * renamed over the previous snapshot, directory fsync'd. A crash before the rename leaves the old
 * snapshot (and the journals it needs) in charge. The snapshot is itself a list of the ops that
 * rebuild the catalog, so loading it goes through the same code as live writes. Returns its size.
 */
export async function writeSnapshot(dir: string, images: CollectionImage[], generation: number): Promise<number> {
  const tempPath = join(dir, SNAPSHOT_TEMP_FILE);
  const handle = await open(tempPath, "w");
  let position = 0;
  try {
    const write = async (record: Buffer) => {
      await writeFully(handle, record, position);
      position += record.length;
    };
    const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, journal: generation };
    await write(encodeRecord([header]));
    for (const image of images) {
      const { db, coll } = image;
      await write(encodeRecord([{ op: "createCollection", db, coll, options: image.options }, ...image.indexes]));
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      for (const doc of image.docs) {
        const bytes = BSON.serialize({ op: "insert", db, coll, doc });
        pending.push(bytes);
        pendingBytes += bytes.length;
        if (pendingBytes >= RECORD_TARGET_BYTES) {
          await write(frame(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      if (pending.length > 0) await write(frame(pending));
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tempPath, join(dir, SNAPSHOT_FILE));
  await syncDirectory(dir);
  return position;
}

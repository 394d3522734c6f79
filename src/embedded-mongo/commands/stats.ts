import type { Document } from "bson";
import { commandError } from "../errors";
import type { Collection } from "../storage/collection";
import { optionalNumber } from "./args";

/**
 * Sizes come from what the engine holds: `size` is the stored documents' BSON bytes and each
 * index's size the bytes of its entries (key values and record ids), both kept as writes happen.
 * Everything lives in memory, so `storageSize` is `size` and nothing is free or compressed.
 */

/** `scale` divides byte figures (not avgObjSize), as mongod's; at least 1. */
export function scaleOf(spec: Document, field = "scale"): number {
  const scale = optionalNumber(spec, field);
  if (scale === undefined) return 1;
  if (!(scale >= 1)) throw commandError("Location51024", `BSON field '${field}' value must be >= 1, actual value '${scale}'`);
  return Math.trunc(scale);
}

export function indexBytes(coll: Collection): number {
  return coll.allIndexes().reduce((total, index) => total + index.bytes, 0);
}

/** A collection that does not exist holds nothing: mongod answers zeros rather than an error. */
export function missingStorageStats(ns: string, scale: number): Document {
  return { ns, size: 0, count: 0, numOrphanDocs: 0, storageSize: 0, totalSize: 0, nindexes: 0, totalIndexSize: 0, indexSizes: {}, scaleFactor: scale };
}

/** collStats' reply and `$collStats`' storageStats. */
export function storageStats(coll: Collection, scale: number): Document {
  const count = coll.docs.size;
  const size = coll.dataSize;
  const indexes = coll.allIndexes();
  const totalIndexBytes = indexBytes(coll);
  return {
    ns: coll.ns,
    size: Math.floor(size / scale),
    count,
    avgObjSize: count ? Math.floor(size / count) : 0,
    numOrphanDocs: 0,
    storageSize: Math.floor(size / scale),
    freeStorageSize: 0,
    capped: false,
    nindexes: indexes.length,
    indexBuilds: [],
    totalIndexSize: Math.floor(totalIndexBytes / scale),
    totalSize: Math.floor((size + totalIndexBytes) / scale),
    indexSizes: Object.fromEntries(indexes.map((index) => [index.name, Math.floor(index.bytes / scale)])),
    scaleFactor: scale,
  };
}

/** dbStats' figures over the collections of one database (views hold no data). */
export function databaseStats(db: string, catalog: Collection[], scale: number): Document {
  const collections = catalog.filter((coll) => !coll.isView);
  const objects = collections.reduce((total, coll) => total + coll.docs.size, 0);
  const dataSize = collections.reduce((total, coll) => total + coll.dataSize, 0);
  const indexSize = collections.reduce((total, coll) => total + indexBytes(coll), 0);
  return {
    db,
    collections: collections.length,
    views: catalog.length - collections.length,
    objects,
    avgObjSize: objects ? dataSize / objects : 0,
    dataSize: Math.floor(dataSize / scale),
    storageSize: Math.floor(dataSize / scale),
    freeStorageSize: 0,
    indexes: collections.reduce((total, coll) => total + coll.allIndexes().length, 0),
    indexSize: Math.floor(indexSize / scale),
    indexFreeStorageSize: 0,
    totalSize: Math.floor((dataSize + indexSize) / scale),
    totalFreeStorageSize: 0,
    scaleFactor: scale,
  };
}

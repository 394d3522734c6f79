import type { FileHandle } from "node:fs/promises";
import { BSON, type Document } from "bson";
import { deserializeDocument } from "../wire/bson-values";
import { crc32c } from "../wire/crc32c";

/**
 * The on-disk framing shared by the journal and the snapshot: a record is
 * `[payload length: u32 LE][CRC-32C of the payload: u32 LE][payload]`, the payload a run of BSON
 * documents. A record is the unit of atomicity: it is either read back whole with a matching
 * checksum or treated as the torn end of the file.
 */
export const RECORD_HEADER_SIZE = 8;

const READ_CHUNK = 4 * 1024 * 1024;

export function encodeRecord(docs: readonly Document[]): Buffer {
  return frame(docs.map((doc) => BSON.serialize(doc)));
}

/** Frames already serialized documents, so the snapshot writer can size its records as it goes. */
export function frame(payload: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.allocUnsafe(RECORD_HEADER_SIZE);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32c(body), 4);
  return Buffer.concat([header, body]);
}

/** How far a file holds intact records, and why reading stopped when it stopped early. */
export interface ScanResult {
  /** Bytes covered by intact records: everything after this is torn or corrupt. */
  validBytes: number;
  fileBytes: number;
  records: number;
  /** Set when reading stopped before the end of the file. */
  problem?: string;
}

/**
 * Reads a file record by record, handing each record's documents to `onRecord` in order, and
 * stops at the first record that is incomplete, has an impossible length, fails its checksum or
 * does not hold well-formed BSON. Reads in large chunks so a big file costs few system calls.
 */
export async function scanRecords(handle: FileHandle, onRecord: (docs: Document[], offset: number) => void): Promise<ScanResult> {
  const fileBytes = (await handle.stat()).size;
  let buffer = Buffer.alloc(0);
  let bufferStart = 0;
  let validBytes = 0;
  let records = 0;
  const stop = (problem: string): ScanResult => ({ validBytes, fileBytes, records, problem: `${problem} at offset ${validBytes}` });

  // Makes sure `length` bytes from `validBytes` are in the buffer; false at end of file.
  const ensure = async (length: number): Promise<boolean> => {
    const have = bufferStart + buffer.length - validBytes;
    if (have >= length) return true;
    if (validBytes + length > fileBytes) return false;
    const keep = buffer.subarray(validBytes - bufferStart);
    const wanted = Math.max(length - keep.length, Math.min(READ_CHUNK, fileBytes - validBytes - keep.length));
    const chunk = Buffer.allocUnsafe(wanted);
    const { bytesRead } = await handle.read(chunk, 0, wanted, validBytes + keep.length);
    buffer = Buffer.concat([keep, chunk.subarray(0, bytesRead)]);
    bufferStart = validBytes;
    return buffer.length >= length;
  };

  while (validBytes < fileBytes) {
    if (!(await ensure(RECORD_HEADER_SIZE))) return stop("incomplete record header");
    const at = validBytes - bufferStart;
    const length = buffer.readUInt32LE(at);
    const checksum = buffer.readUInt32LE(at + 4);
    // A garbage length past the end of the file is caught by `ensure` before anything is allocated.
    if (length < 5) return stop(`impossible record length ${length}`);
    if (!(await ensure(RECORD_HEADER_SIZE + length))) return stop("incomplete record");
    const start = validBytes - bufferStart + RECORD_HEADER_SIZE;
    const payload = buffer.subarray(start, start + length);
    if (crc32c(payload) !== checksum) return stop("checksum mismatch");
    const docs = parseDocuments(payload);
    if (!docs) return stop("malformed BSON in record");
    onRecord(docs, validBytes);
    validBytes += RECORD_HEADER_SIZE + length;
    records++;
  }
  return { validBytes, fileBytes, records };
}

function parseDocuments(payload: Buffer): Document[] | undefined {
  const docs: Document[] = [];
  for (let offset = 0; offset < payload.length; ) {
    if (payload.length - offset < 5) return undefined;
    const length = payload.readInt32LE(offset);
    if (length < 5 || offset + length > payload.length) return undefined;
    try {
      docs.push(deserializeDocument(payload.subarray(offset, offset + length)));
    } catch {
      return undefined;
    }
    offset += length;
  }
  return docs;
}

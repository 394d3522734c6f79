import { constants, createInflateRaw } from "node:zlib";
import { raise } from "../../lib/errors";

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the entries' declared uncompressed sizes. */
  maxTotalUncompressed: number;
  /** Declared uncompressed size over compressed size, per entry. */
  maxRatio: number;
  /**
   * Bytes the entries really inflate to, all together. Declared sizes are the archive's word:
   * local and central headers can understate them, so this is counted while inflating.
   */
  maxTotalInflated: number;
}

export const DOCX_ZIP_LIMITS: ZipLimits = {
  maxEntries: 2_000,
  maxTotalUncompressed: 200 * 1024 * 1024,
  maxRatio: 200,
  maxTotalInflated: 64 * 1024 * 1024,
};

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT = 0xffff;
const STORED = 0;
const DEFLATED = 8;

/** The one message every refusal of an archive carries, whoever raises it. */
export function unsafeArchiveReason(reason: string): string {
  return `The DOCX file cannot be read safely: ${reason}`;
}

function refuse(reason: string): never {
  return raise("UNSUPPORTED_MEDIA_TYPE", unsafeArchiveReason(reason));
}

/** The limits on what the central directory declares. */
type DeclaredLimits = Omit<ZipLimits, "maxTotalInflated">;

interface CentralEntry {
  method: number;
  compressed: number;
  localOffset: number;
}

/**
 * Reads a ZIP's central directory (no decompression) and refuses archives that would expand
 * beyond the limits: mammoth's zip reader inflates whatever the archive declares, so a zip bomb
 * must be stopped before it gets there. ZIP64 is refused outright: a DOCX never needs it, and its
 * sizes are where bombs hide.
 */
export function checkZipArchive(bytes: Buffer, limits: DeclaredLimits = DOCX_ZIP_LIMITS): void {
  centralEntries(bytes, limits);
}

function centralEntries(bytes: Buffer, limits: DeclaredLimits): CentralEntry[] {
  const eocd = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(eocd + 10);
  const directorySize = bytes.readUInt32LE(eocd + 12);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) refuse("ZIP64 archives are not accepted");
  if (count > limits.maxEntries) refuse(`${count} entries (at most ${limits.maxEntries})`);
  if (directoryOffset + directorySize > eocd) refuse("its central directory is corrupt");
  // mammoth's zip reader (JSZip) takes bytes between the directory and its end record for data
  // prepended to the archive and reads a directory further on than the declared one: a second,
  // hidden directory. Checks and reader only agree when the directory ends where its record begins.
  if (directoryOffset + directorySize < eocd) refuse("it has bytes between its central directory and the directory's end record");
  const entries: CentralEntry[] = [];
  let offset = directoryOffset;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL_SIGNATURE) refuse("its central directory is corrupt");
    const compressed = bytes.readUInt32LE(offset + 20);
    const uncompressed = bytes.readUInt32LE(offset + 24);
    if (compressed === 0xffffffff || uncompressed === 0xffffffff) refuse("ZIP64 archives are not accepted");
    if (uncompressed > Math.max(compressed, 1) * limits.maxRatio) refuse("an entry expands beyond a safe ratio");
    total += uncompressed;
    if (total > limits.maxTotalUncompressed) refuse("it expands beyond a safe size");
    entries.push({ method: bytes.readUInt16LE(offset + 10), compressed, localOffset: bytes.readUInt32LE(offset + 42) });
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
  return entries;
}

/**
 * Inflates every entry the way mammoth's zip reader will (the central directory's method and
 * compressed size, the data after the local header), counting the bytes that come out and
 * keeping none of them: past `maxTotalInflated` it stops and refuses, whatever the headers
 * declared. zlib's streaming inflate runs on libuv's thread pool, so this does not block the event
 * loop, and its memory is one output chunk at a time.
 */
export async function checkInflatedSize(bytes: Buffer, limits: ZipLimits = DOCX_ZIP_LIMITS): Promise<void> {
  let budget = limits.maxTotalInflated;
  for (const entry of centralEntries(bytes, limits)) {
    const local = entry.localOffset;
    if (local + 30 > bytes.length || bytes.readUInt32LE(local) !== LOCAL_SIGNATURE) refuse("an entry's local header is corrupt");
    const start = local + 30 + bytes.readUInt16LE(local + 26) + bytes.readUInt16LE(local + 28);
    const data = bytes.subarray(start, start + entry.compressed);
    if (entry.method === STORED) budget -= data.length;
    else if (entry.method === DEFLATED) budget -= await inflatedLength(data, budget);
    else refuse(`compression method ${entry.method} is not used by DOCX files`);
    if (budget < 0) refuse(`its entries inflate to more than ${limits.maxTotalInflated} bytes`);
  }
}

/** What `data` inflates to, counted up to just past `budget`; a corrupt stream counts what came out before it broke. */
function inflatedLength(data: Buffer, budget: number): Promise<number> {
  return new Promise((resolve) => {
    // A truncated stream is inflated as far as it goes, as mammoth's reader would.
    const inflate = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
    let total = 0;
    inflate.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > budget) {
        inflate.destroy();
        resolve(total);
      }
    });
    inflate.once("end", () => resolve(total));
    inflate.once("error", () => resolve(total));
    inflate.end(data);
  });
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - EOCD_MIN_SIZE - MAX_COMMENT);
  for (let offset = bytes.length - EOCD_MIN_SIZE; offset >= lowest; offset--) {
    if (bytes.readUInt32LE(offset) === EOCD_SIGNATURE) return offset;
  }
  return refuse("it is not a complete ZIP archive");
}

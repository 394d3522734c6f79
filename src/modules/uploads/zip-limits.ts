import { raise } from "../../lib/errors";

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the entries' declared uncompressed sizes. */
  maxTotalUncompressed: number;
  /** Declared uncompressed size over compressed size, per entry. */
  maxRatio: number;
}

export const DOCX_ZIP_LIMITS: ZipLimits = { maxEntries: 2_000, maxTotalUncompressed: 200 * 1024 * 1024, maxRatio: 200 };

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT = 0xffff;

function refuse(reason: string): never {
  return raise("UNSUPPORTED_MEDIA_TYPE", `The DOCX file cannot be read safely: ${reason}`);
}

/**
 * Reads a ZIP's central directory (no decompression) and refuses archives that would expand
 * beyond the limits: mammoth's zip reader inflates whatever the archive declares, so a zip bomb
 * must be stopped before it gets there. ZIP64 is refused outright: a DOCX never needs it, and its
 * sizes are where bombs hide.
 */
export function checkZipArchive(bytes: Buffer, limits: ZipLimits = DOCX_ZIP_LIMITS): void {
  const eocd = findEndOfCentralDirectory(bytes);
  const entries = bytes.readUInt16LE(eocd + 10);
  const directorySize = bytes.readUInt32LE(eocd + 12);
  const directoryOffset = bytes.readUInt32LE(eocd + 16);
  if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) refuse("ZIP64 archives are not accepted");
  if (entries > limits.maxEntries) refuse(`${entries} entries (at most ${limits.maxEntries})`);
  if (directoryOffset + directorySize > eocd) refuse("its central directory is corrupt");
  let offset = directoryOffset;
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL_SIGNATURE) refuse("its central directory is corrupt");
    const compressed = bytes.readUInt32LE(offset + 20);
    const uncompressed = bytes.readUInt32LE(offset + 24);
    if (compressed === 0xffffffff || uncompressed === 0xffffffff) refuse("ZIP64 archives are not accepted");
    if (uncompressed > Math.max(compressed, 1) * limits.maxRatio) refuse("an entry expands beyond a safe ratio");
    total += uncompressed;
    if (total > limits.maxTotalUncompressed) refuse("it expands beyond a safe size");
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - EOCD_MIN_SIZE - MAX_COMMENT);
  for (let offset = bytes.length - EOCD_MIN_SIZE; offset >= lowest; offset--) {
    if (bytes.readUInt32LE(offset) === EOCD_SIGNATURE) return offset;
  }
  return refuse("it is not a complete ZIP archive");
}

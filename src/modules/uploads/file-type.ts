import { raise } from "../../lib/errors";

/** The formats ingestion understands; stored lower-case, shown upper-case in GraphQL. */
export enum FileType {
  PDF = "pdf",
  DOCX = "docx",
  TXT = "txt",
}

export const CONTENT_TYPES: Record<FileType, string> = {
  [FileType.PDF]: "application/pdf",
  [FileType.DOCX]: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  [FileType.TXT]: "text/plain; charset=utf-8",
};

const PDF_MAGIC = Buffer.from("%PDF-");
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * The file's type from its name, checked against its first bytes: the extension must be allowed
 * and the content must be what the extension says (a renamed program is refused).
 */
export function detectFileType(filename: string, bytes: Buffer, allowedExtensions: string[]): FileType {
  const extension = /\.([^.]+)$/.exec(filename)?.[1]?.toLowerCase() ?? "";
  const type = Object.values(FileType).find((t) => t === extension);
  if (!type || !allowedExtensions.includes(extension)) {
    raise("UNSUPPORTED_MEDIA_TYPE", `Only ${allowedExtensions.map((e) => "." + e).join(", ")} files can be uploaded`, {
      allowedExtensions,
    });
  }
  if (bytes.length === 0) raise("BAD_USER_INPUT", "The file is empty", { fields: [{ field: "file", message: "is empty" }] });
  const matches =
    type === FileType.PDF ? startsWith(bytes, PDF_MAGIC) : type === FileType.DOCX ? startsWith(bytes, ZIP_MAGIC) : isUtf8Text(bytes);
  if (!matches) {
    const what = type === FileType.TXT ? "is not UTF-8 text" : `is not a ${type.toUpperCase()} file`;
    raise("UNSUPPORTED_MEDIA_TYPE", `The content of ${filename} ${what}`);
  }
  return type;
}

function startsWith(bytes: Buffer, magic: Buffer): boolean {
  return bytes.subarray(0, magic.length).equals(magic);
}

/** Valid UTF-8 (a BOM is fine) without NUL bytes, which no text file holds but every binary does. */
function isUtf8Text(bytes: Buffer): boolean {
  const body = startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    return false;
  }
  return !body.includes(0);
}

/** The text of a TXT upload, BOM removed. */
export function decodeText(bytes: Buffer): string {
  return new TextDecoder("utf-8").decode(startsWith(bytes, UTF8_BOM) ? bytes.subarray(UTF8_BOM.length) : bytes);
}

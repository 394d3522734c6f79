import { createHash } from "node:crypto";
import type { FileUpload } from "graphql-upload-minimal";
import { raise } from "../../lib/errors";

export interface ReceivedFile {
  filename: string;
  bytes: Buffer;
  sha256: string;
}

function tooLarge(maxFileSize: number): never {
  return raise("PAYLOAD_TOO_LARGE", `The file is larger than the ${maxFileSize} bytes allowed`, { maxFileSize });
}

/** The multipart parser's words for a body that ended inside the file, or a client that went away. */
const CUT_OFF = /unexpected end of (file|form)|request disconnected|cut off/i;

function isCutOff(error: unknown): boolean {
  return error instanceof Error && CUT_OFF.test(error.message);
}

/** The client's request, not the server, is at fault: 400, and nothing was stored. */
function cutOff(): never {
  return raise("BAD_USER_INPUT", "The upload ended before its file did (the request was cut off); send it again", { http: { status: 400 } });
}

/** The multipart parser's refusals are the client's doing (BAD_USER_INPUT, or PAYLOAD_TOO_LARGE with the limit). */
function refusedByParser(error: unknown, maxFileSize: number): never {
  if (isCutOff(error)) cutOff();
  if ((error as { status?: number }).status === 413) tooLarge(maxFileSize);
  throw error;
}

/**
 * Reads an upload into memory, never more than `maxFileSize` bytes: the multipart parser cuts
 * the stream at the limit (it then reports it as truncated), and this counts too, so nothing
 * over the limit is ever kept.
 */
export async function receiveFile(upload: Promise<FileUpload>, maxFileSize: number): Promise<ReceivedFile> {
  let file: FileUpload;
  let stream: ReturnType<FileUpload["createReadStream"]> & { truncated?: boolean };
  try {
    file = await upload;
    stream = file.createReadStream();
  } catch (error) {
    // The parser may have hit the limit, or refused the body, before the resolver asked for the file.
    refusedByParser(error, maxFileSize);
  }
  const hash = createHash("sha256");
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const part of stream as AsyncIterable<Buffer>) {
      size += part.length;
      if (size > maxFileSize) {
        stream.destroy();
        tooLarge(maxFileSize);
      }
      hash.update(part);
      parts.push(part);
    }
  } catch (error) {
    refusedByParser(error, maxFileSize);
  }
  if (stream.truncated) tooLarge(maxFileSize);
  return { filename: cleanFilename(file.filename), bytes: Buffer.concat(parts, size), sha256: hash.digest("hex") };
}

/** The name without any directory part or control characters, at most 255 characters. */
function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? "";
  const clean = base.replace(/\p{Cc}/gu, "").trim().slice(-255);
  return clean || "upload";
}

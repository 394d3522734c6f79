/**
 * Runs in a child process of its own (see extractor.ts): parsing a hostile PDF or DOCX can loop or
 * allocate without bound, and here that only costs a process that is killed.
 */
import { GraphQLError } from "graphql";
import mammoth from "mammoth";
import { PDFParse } from "pdf-parse";
import type { ErrorCode } from "../../lib/errors";
import type { ExtractedDocument, TextBlock } from "./extracted";
import { flattenOutline, pdfBlocks } from "./headings";
import { checkPdfInflation } from "./pdf-limits";
import { checkInflatedSize, DOCX_ZIP_LIMITS } from "./zip-limits";

export interface ExtractRequest {
  kind: "pdf" | "docx";
  bytes: Uint8Array;
  maxTextLength: number;
  /** Bytes a DOCX's entries, or a PDF's streams, may inflate to, counted before parsing (zip-limits.ts, pdf-limits.ts). */
  maxInflatedBytes: number;
}

export type ExtractReply = { ok: true; document: ExtractedDocument } | { ok: false; reason: string; code?: ErrorCode };

async function extractPdf(bytes: Uint8Array, maxInflatedBytes: number): Promise<ExtractedDocument> {
  checkPdfInflation(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), maxInflatedBytes);
  const parser = new PDFParse({ data: bytes });
  try {
    const result = await parser.getText({ pageJoiner: "" });
    const outline = await parser.getInfo().then((info) => flattenOutline(info.outline), () => []);
    const blocks = pdfBlocks(result.pages.map((page) => ({ num: page.num, lines: page.text.split("\n") })), outline);
    return { blocks, pageCount: result.total };
  } finally {
    await parser.destroy();
  }
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " " };

function htmlText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, " ")
    .replace(/<[^>]+>/g, "")
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (entity, name: string) => {
      if (name.startsWith("#x") || name.startsWith("#X")) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith("#")) return String.fromCodePoint(parseInt(name.slice(1), 10));
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .replace(/\s+/g, " ")
    .trim();
}

/** mammoth's HTML keeps Word's heading styles as h1..h6; every other block becomes a paragraph. */
async function extractDocx(bytes: Uint8Array, maxInflatedBytes: number): Promise<ExtractedDocument> {
  // The worker's heap cap does not cover the Buffers mammoth's zip reader inflates into, so what
  // the archive really inflates to is counted first (keeping none of it), whatever it declares.
  await checkInflatedSize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { ...DOCX_ZIP_LIMITS, maxTotalInflated: maxInflatedBytes });
  const { value: html } = await mammoth.convertToHtml(
    { buffer: Buffer.from(bytes) },
    // Images carry no text; left in, each would be inlined as a base64 data URI.
    { ignoreEmptyParagraphs: true, convertImage: mammoth.images.imgElement(async () => ({ src: "" })) },
  );
  const blocks: TextBlock[] = [];
  for (const match of html.matchAll(/<(h[1-6]|p|li|td|th)\b[^>]*>([\s\S]*?)<\/\1>/gi)) {
    const text = htmlText(match[2]);
    if (!text) continue;
    const tag = match[1].toLowerCase();
    blocks.push(tag.startsWith("h") && tag.length === 2 ? { text, headingLevel: Number(tag[1]) } : { text });
  }
  return { blocks };
}

function capped(document: ExtractedDocument, maxTextLength: number): ExtractedDocument {
  let length = 0;
  const blocks: TextBlock[] = [];
  for (const block of document.blocks) {
    if (length + block.text.length > maxTextLength) break;
    length += block.text.length;
    blocks.push(block);
  }
  return { ...document, blocks };
}

async function main(request: ExtractRequest): Promise<ExtractReply> {
  try {
    const document = request.kind === "pdf" ? await extractPdf(request.bytes, request.maxInflatedBytes) : await extractDocx(request.bytes, request.maxInflatedBytes);
    return { ok: true, document: capped(document, request.maxTextLength) };
  } catch (error) {
    // A refusal raised on purpose (an unsafe archive) keeps its code and message.
    if (error instanceof GraphQLError) return { ok: false, reason: error.message, code: error.extensions.code as ErrorCode };
    return { ok: false, reason: describe(error) };
  }
}

function describe(error: unknown): string {
  const name = (error as Error)?.name ?? "";
  const message = (error as Error)?.message ?? String(error);
  if (name === "PasswordException" || /password/i.test(message)) return "the PDF is encrypted (password protected)";
  if (name === "InvalidPDFException") return "the PDF is corrupt or not a PDF";
  if (/zip|end of central directory|corrupt/i.test(message)) return "the DOCX file is corrupt";
  return `the file could not be read (${message.slice(0, 200)})`;
}

if (process.send) {
  // One request per process; a parent that goes away takes its child with it.
  process.once("disconnect", () => process.exit(0));
  process.once("message", (request: ExtractRequest) => {
    void main(request).then((reply) => process.send!(reply, () => process.exit(0)));
  });
}

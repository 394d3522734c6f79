import { constants, inflateSync } from "node:zlib";
import { raise } from "../../lib/errors";

const STREAM = /stream\r?\n/g;
const MAX_DICTIONARY = 4096;
/** One stream of drawing instructions (a page, a form) past this is no document's; embedded fonts may be larger. */
const MAX_CONTENT_STREAM = 16 * 1024 * 1024;
const FONT_FILE = /\/Length[123]\b|\/Subtype\s*\/(Type1C|CIDFontType0C|OpenType)\b/;

/**
 * Counts what a PDF's Flate streams inflate to, the way text extraction will read them (every
 * stream but images, which extracting text never decodes), and refuses the file past
 * `maxInflated` in all, or past 16 MiB for one stream that is not a font: a few KB can declare a
 * page whose text inflates to gigabytes. zlib stops at the
 * budget itself (`maxOutputLength`), so counting never holds more than the budget.
 */
export function checkPdfInflation(bytes: Buffer, maxInflated: number): void {
  const text = bytes.toString("latin1");
  let budget = maxInflated;
  for (const match of text.matchAll(STREAM)) {
    const start = match.index!;
    const before = text.slice(Math.max(0, start - MAX_DICTIONARY), start);
    if (!/>>\s*$/.test(before)) continue;
    const dictionary = before.slice(before.lastIndexOf(" obj") + 1);
    if (!/\/FlateDecode\b/.test(dictionary) || /\/Subtype\s*\/Image\b/.test(dictionary)) continue;
    const dataStart = start + match[0].length;
    const end = text.indexOf("endstream", dataStart);
    const data = bytes.subarray(dataStart, end < 0 ? bytes.length : end);
    const streamBudget = FONT_FILE.test(dictionary) ? budget : Math.min(budget, MAX_CONTENT_STREAM);
    const inflated = inflatedLength(data, streamBudget);
    if (inflated > streamBudget) {
      const limit = streamBudget < budget ? `one stream inflates to more than ${MAX_CONTENT_STREAM} bytes` : `its streams inflate to more than ${maxInflated} bytes`;
      raise("UNSUPPORTED_MEDIA_TYPE", `The PDF file cannot be read safely: ${limit}`);
    }
    budget -= inflated;
  }
}

function inflatedLength(data: Buffer, budget: number): number {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(budget + 1, 1), finishFlush: constants.Z_SYNC_FLUSH }).length;
  } catch (error) {
    if ((error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") return budget + 1;
    // A corrupt stream: pdf.js gets as far as zlib did, which is no further than what is counted here.
    return 0;
  }
}

import type { TextBlock } from "./extracted";
import { segmentsOf } from "../../lib/segments";

/** A passage of a document as it is embedded and cited. */
export interface Chunk {
  index: number;
  text: string;
  pageStart?: number;
  pageEnd?: number;
  /** Headings above the passage, outermost first, joined with " > "; empty outside any heading. */
  heading: string;
  /** Offsets into the document's text (`documentText`): `text === documentText.slice(charStart, charEnd)`. */
  charStart: number;
  charEnd: number;
}

export interface ChunkOptions {
  /** Aimed-for chunk length in characters. */
  targetLength: number;
  /** Characters of the previous chunk's end repeated at the next one's start (whole sentences). */
  overlap: number;
}

export const DEFAULT_CHUNK_OPTIONS: ChunkOptions = { targetLength: 1000, overlap: 200 };

const BLOCK_SEPARATOR = "\n\n";

/** The text chunks' offsets refer to: the blocks joined by blank lines. */
export function documentText(blocks: TextBlock[]): string {
  return blocks.map((block) => block.text).join(BLOCK_SEPARATOR);
}

/** A sentence (or a word-bounded piece of an overlong one) with where it sits. */
interface Unit {
  start: number;
  end: number;
  page?: number;
  heading: string;
  isHeading: boolean;
}

const sentences = new Intl.Segmenter("en", { granularity: "sentence" });

/**
 * Splits a document into passages of about `targetLength` characters: whole paragraphs where they
 * fit, else whole sentences, else pieces cut at spaces (never inside a word). A new heading starts
 * a new chunk, so a chunk's heading path is exact; so does a new page once the chunk is half full.
 * Consecutive chunks of one section and page overlap by whole sentences.
 */
export function chunkDocument(blocks: TextBlock[], options: ChunkOptions = DEFAULT_CHUNK_OPTIONS): Chunk[] {
  const units = toUnits(blocks, options.targetLength);
  const chunks: Chunk[] = [];
  const text = documentText(blocks);
  let current: Unit[] = [];
  const emit = () => {
    if (current.length === 0) return;
    const first = current[0];
    const last = current[current.length - 1];
    const pages = current.map((unit) => unit.page).filter((page): page is number => page !== undefined);
    chunks.push({
      index: chunks.length,
      text: text.slice(first.start, last.end),
      pageStart: pages.length ? Math.min(...pages) : undefined,
      pageEnd: pages.length ? Math.max(...pages) : undefined,
      // Leading heading units carry shallower paths; the last unit has the section's full path.
      heading: last.heading,
      charStart: first.start,
      charEnd: last.end,
    });
  };
  for (const unit of units) {
    // Headings with nothing under them yet join the section that follows them.
    const sameSection = current.length > 0 && (current[current.length - 1].heading === unit.heading || current.every((u) => u.isHeading));
    const samePage = current.length > 0 && current[current.length - 1].page === unit.page;
    const length = current.length > 0 ? current[current.length - 1].end - current[0].start : 0;
    // A new page is a good place to start a chunk: citations then name one page.
    const fits = sameSection && unit.end - current[0].start <= options.targetLength && (samePage || length < options.targetLength / 2);
    if (fits) {
      current.push(unit);
      continue;
    }
    emit();
    current = sameSection && samePage ? overlapOf(current, unit, options) : [];
    current.push(unit);
  }
  emit();
  return chunks;
}

/** The trailing sentences of `previous` that fit in the overlap and still leave room for `next`. */
function overlapOf(previous: Unit[], next: Unit, options: ChunkOptions): Unit[] {
  const end = previous[previous.length - 1].end;
  let from = previous.length;
  // Never the whole previous chunk: the next one must move forward.
  while (from > 1) {
    const start = previous[from - 1].start;
    if (end - start > options.overlap || next.end - start > options.targetLength) break;
    from--;
  }
  return previous.slice(from);
}

function toUnits(blocks: TextBlock[], maxLength: number): Unit[] {
  const units: Unit[] = [];
  const headings: { level: number; text: string }[] = [];
  let offset = 0;
  for (const block of blocks) {
    if (block.headingLevel !== undefined) {
      while (headings.length && headings[headings.length - 1].level >= block.headingLevel) headings.pop();
      headings.push({ level: block.headingLevel, text: block.text });
    }
    const heading = headings.map((h) => h.text).join(" > ");
    for (const { segment, index } of segmentsOf(sentences, block.text)) {
      const trimmed = segment.trimEnd();
      if (!trimmed.trim()) continue;
      const lead = trimmed.length - trimmed.trimStart().length;
      for (const [start, end] of wordBoundedPieces(trimmed.trimStart(), maxLength)) {
        const base = offset + index + lead;
        units.push({ start: base + start, end: base + end, page: block.page, heading, isHeading: block.headingLevel !== undefined });
      }
    }
    offset += block.text.length + BLOCK_SEPARATOR.length;
  }
  return units;
}

/** [start, end) pieces of at most `maxLength` characters, cut at white space where there is any. */
function wordBoundedPieces(text: string, maxLength: number): [number, number][] {
  const pieces: [number, number][] = [];
  let start = 0;
  while (text.length - start > maxLength) {
    let cut = text.lastIndexOf(" ", start + maxLength);
    // A "word" longer than a chunk (a URL, a hash) is cut where it must be.
    if (cut <= start) cut = start + maxLength;
    pieces.push([start, cut]);
    start = cut;
    while (text[start] === " ") start++;
  }
  pieces.push([start, text.length]);
  return pieces;
}

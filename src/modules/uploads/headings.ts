import { paragraphs, type TextBlock } from "./extracted";
import { withoutPageFurniture, type PageLines } from "./page-furniture";

/** One bookmark of a PDF's outline, flattened: level 1 for the top. */
export interface OutlineEntry {
  title: string;
  level: number;
}

/** The shape of pdf.js' outline nodes (pdf-parse's `getInfo().outline`). */
interface OutlineNode {
  title?: string;
  items?: OutlineNode[];
}

const MAX_HEADING_LENGTH = 90;
const MAX_HEADING_WORDS = 12;
const NAMED = /^(?:chapter|part|section|unit|lesson|module|appendix)\s+(?:\d+|[ivxlc]+|[a-z])\b/i;
const NUMBERED = /^(\d+(?:\.\d+)*)\.?\s+[\p{Lu}\p{Lt}]/u;
/** A sentence or a clause ends here, so the next line may start something new. */
const CLOSED = /[.!?:;"”')\]]$/;
const STARTS_BLOCK = /^[\p{Lu}\p{Lt}\p{N}"“'(]/u;
const SMALL_WORDS = new Set(["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "vs", "with"]);

/** The outline's bookmarks in reading order, each with its depth. */
export function flattenOutline(nodes: readonly OutlineNode[] | null | undefined, level = 1): OutlineEntry[] {
  return (nodes ?? []).flatMap((node) => {
    const title = node.title?.replace(/\s+/g, " ").trim();
    return [...(title ? [{ title, level }] : []), ...flattenOutline(node.items, level + 1)];
  });
}

/**
 * A PDF's pages as blocks, furniture (running headers, footers, page numbers) removed and
 * headings marked: the outline's bookmarks where their titles are found in the text, else lines
 * that look like headings (numbered, "Chapter 2", or a short title-cased line between sentences).
 */
export function pdfBlocks(pages: PageLines[], outline: OutlineEntry[] = []): TextBlock[] {
  const lines = withoutPageFurniture(pages).flatMap((page) =>
    page.lines.map((line) => ({ text: line.replace(/\s+/g, " ").trim(), page: page.num })).filter((line) => line.text),
  );
  const fromOutline = outlineHeadings(lines, outline);
  const headings = fromOutline.size > 0 ? fromOutline : lookingLikeHeadings(lines);
  const blocks: TextBlock[] = [];
  let body: { text: string; page: number }[] = [];
  const flush = () => {
    // Each page's lines form its paragraphs, as before headings were looked for.
    for (let start = 0, end = 0; start < body.length; start = end) {
      while (end < body.length && body[end].page === body[start].page) end++;
      for (const text of paragraphs(body.slice(start, end).map((line) => line.text).join("\n"))) blocks.push({ text, page: body[start].page });
    }
    body = [];
  };
  for (const [i, line] of lines.entries()) {
    const heading = headings.get(i);
    if (heading === undefined) {
      body.push(line);
      continue;
    }
    flush();
    blocks.push({ text: heading.text, page: line.page, headingLevel: heading.level });
  }
  flush();
  return blocks;
}

interface Heading {
  text: string;
  level: number;
}

function normalized(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

/**
 * Each bookmark at the first line after the previous one's that reads the same; a title wrapped
 * over two lines is found too, and its second line is taken out of `lines`.
 */
function outlineHeadings(lines: { text: string }[], outline: OutlineEntry[]): Map<number, Heading> {
  const headings = new Map<number, Heading>();
  let from = 0;
  for (const entry of outline) {
    const wanted = normalized(entry.title);
    if (!wanted) continue;
    for (let i = from; i < lines.length; i++) {
      if (normalized(lines[i].text) === wanted) {
        headings.set(i, { text: entry.title, level: entry.level });
        from = i + 1;
        break;
      }
      if (i + 1 < lines.length && normalized(`${lines[i].text} ${lines[i + 1].text}`) === wanted) {
        // The wrapped second line goes with the heading: the block reads as the bookmark.
        headings.set(i, { text: entry.title, level: entry.level });
        lines.splice(i + 1, 1);
        from = i + 1;
        break;
      }
    }
  }
  return headings;
}

/** Lines that look like headings, with a level from their numbering (1.2 is level 2). */
function lookingLikeHeadings(lines: { text: string }[]): Map<number, Heading> {
  const headings = new Map<number, Heading>();
  for (const [i, { text }] of lines.entries()) {
    const previous = lines[i - 1]?.text;
    const next = lines[i + 1]?.text;
    if (next === undefined || !STARTS_BLOCK.test(next)) continue;
    if (previous !== undefined && !CLOSED.test(previous) && !headings.has(i - 1)) continue;
    const level = headingLevel(text);
    if (level !== undefined) headings.set(i, { text, level });
  }
  return headings;
}

function headingLevel(text: string): number | undefined {
  const words = text.split(" ");
  if (text.length > MAX_HEADING_LENGTH || words.length > MAX_HEADING_WORDS || !/\p{L}/u.test(text)) return undefined;
  if (/[.,;:]$/.test(text)) return undefined;
  if (NAMED.test(text)) return 1;
  const numbered = NUMBERED.exec(text);
  if (numbered) return numbered[1].split(".").length;
  if (/[!?]$/.test(text) || words.length < 2) return undefined;
  return isTitleCased(words) ? 1 : undefined;
}

/** Every word but the small ones starts with a capital (or the line is in capitals). */
function isTitleCased(words: string[]): boolean {
  const lettered = words.filter((word) => /\p{L}/u.test(word));
  if (lettered.every((word) => word === word.toUpperCase())) return true;
  return lettered.every((word, i) => /^[\p{Lu}\p{Lt}\p{N}"“'(]/u.test(word) || (i > 0 && SMALL_WORDS.has(word.toLowerCase())));
}

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

/** For matching a bookmark to its line: case, punctuation and a leading number ("2.1 ") aside. */
function normalized(text: string): string {
  return text
    .replace(/^\s*\d+(?:\.\d+)*\.?\s+/, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Each bookmark at the first line after the previous one's that reads the same; a title wrapped
 * over two lines is found too, and its second line is taken out of `lines`. Lines are indexed by
 * their text first, so a long outline costs no scan of the document per bookmark.
 */
function outlineHeadings(lines: { text: string }[], outline: OutlineEntry[]): Map<number, Heading> {
  const at = new Map<string, { index: number; wrapped: boolean }[]>();
  const index = (key: string, place: { index: number; wrapped: boolean }) => {
    if (!key) return;
    const places = at.get(key);
    if (places) places.push(place);
    else at.set(key, [place]);
  };
  for (let i = 0; i < lines.length; i++) {
    index(normalized(lines[i].text), { index: i, wrapped: false });
    if (i + 1 < lines.length) index(normalized(`${lines[i].text} ${lines[i + 1].text}`), { index: i, wrapped: true });
  }
  const found = new Map<number, Heading & { wrapped: boolean }>();
  let from = 0;
  for (const entry of outline) {
    const place = at.get(normalized(entry.title))?.find((candidate) => candidate.index >= from && !found.has(candidate.index));
    if (!place) continue;
    // The heading as the page writes it ("2 Tissues"), which the bookmark may shorten ("Tissues").
    const text = place.wrapped ? `${lines[place.index].text} ${lines[place.index + 1].text}` : lines[place.index].text;
    found.set(place.index, { text, level: entry.level, wrapped: place.wrapped });
    from = place.index + (place.wrapped ? 2 : 1);
  }
  // A wrapped title's second line goes into its heading block.
  const headings = new Map<number, Heading>();
  let removed = 0;
  for (const [i, { text, level, wrapped }] of [...found].sort((a, b) => a[0] - b[0])) {
    headings.set(i - removed, { text, level });
    if (wrapped) {
      lines.splice(i - removed + 1, 1);
      removed += 1;
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

/** One PDF page's text, line by line, as the parser laid it out. */
export interface PageLines {
  /** 1-based page number. */
  num: number;
  lines: string[];
}

/** Lines at each end of a page where running headers, footers and page numbers sit. */
const EDGE_LINES = 3;
/** Below this many pages a repeated line proves nothing. */
const MIN_PAGES = 3;
/** A line is furniture when its shape sits at an edge of more than this share of the pages. */
const MOST_PAGES = 0.5;
const PAGE_NUMBER = /^(?:page\s*)?[-–—([]?\s*(?:\d+|[ivxlcdm]+)\s*[-–—)\]]?(?:\s*(?:of|\/)\s*\d+)?$/i;

/**
 * A line's shape: case, spacing and numbers aside, so "Page 3 of 40" and "Page 4 of 40", or
 * "12" and "xii", are one line repeated.
 */
function shape(line: string): string {
  const text = line.replace(/\s+/g, " ").trim();
  if (PAGE_NUMBER.test(text)) return "#page-number#";
  return text.toLowerCase().replace(/\d+/g, "#");
}

/** Indexes of the page's first and last non-blank lines, where furniture sits. */
function edgeIndexes(lines: string[]): number[] {
  const filled = lines.flatMap((line, i) => (line.trim() ? [i] : []));
  return [...new Set([...filled.slice(0, EDGE_LINES), ...filled.slice(-EDGE_LINES)])];
}

/**
 * Drops running headers, footers and page numbers: a line whose shape stands among the first or
 * last lines of most pages. Lines inside a page, and documents of one or two pages, are kept.
 */
export function withoutPageFurniture(pages: PageLines[]): PageLines[] {
  if (pages.length < MIN_PAGES) return pages;
  const pagesWith = new Map<string, number>();
  for (const page of pages) {
    for (const key of new Set(edgeIndexes(page.lines).map((i) => shape(page.lines[i])))) pagesWith.set(key, (pagesWith.get(key) ?? 0) + 1);
  }
  const isFurniture = (line: string) => (pagesWith.get(shape(line)) ?? 0) > pages.length * MOST_PAGES;
  return pages.map((page) => {
    const edges = new Set(edgeIndexes(page.lines));
    return { num: page.num, lines: page.lines.filter((line, i) => !(edges.has(i) && isFurniture(line))) };
  });
}

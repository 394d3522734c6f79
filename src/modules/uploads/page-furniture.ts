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
/** ...or of this share of the even (or odd) pages. */
const MOST_OF_ONE_SIDE = 0.8;
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
 * last lines of most pages, or of nearly all even or all odd pages (books alternate them: the
 * title on the left, the author on the right). Lines inside a page, and documents of one or two
 * pages, are kept.
 */
export function withoutPageFurniture(pages: PageLines[]): PageLines[] {
  if (pages.length < MIN_PAGES) return pages;
  const counts = { all: new Map<string, number>(), even: new Map<string, number>(), odd: new Map<string, number>() };
  for (const page of pages) {
    const parity = page.num % 2 === 0 ? counts.even : counts.odd;
    for (const key of new Set(edgeIndexes(page.lines).map((i) => shape(page.lines[i])))) {
      counts.all.set(key, (counts.all.get(key) ?? 0) + 1);
      parity.set(key, (parity.get(key) ?? 0) + 1);
    }
  }
  const evenPages = pages.filter((page) => page.num % 2 === 0).length;
  const onParity = (count: number | undefined, of: number) => of >= MIN_PAGES && (count ?? 0) >= of * MOST_OF_ONE_SIDE;
  const isFurniture = (line: string) => {
    const key = shape(line);
    return (counts.all.get(key) ?? 0) > pages.length * MOST_PAGES || onParity(counts.even.get(key), evenPages) || onParity(counts.odd.get(key), pages.length - evenPages);
  };
  return pages.map((page) => {
    const edges = new Set(edgeIndexes(page.lines));
    return { num: page.num, lines: page.lines.filter((line, i) => !(edges.has(i) && isFurniture(line))) };
  });
}

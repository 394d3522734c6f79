/** One piece of a document's text in reading order: a heading or a paragraph, with the page it is on. */
export interface TextBlock {
  text: string;
  /** 1-based page (PDF); absent where the format has no pages. */
  page?: number;
  /** 1..6 for headings (0 for a title above them all); absent for body text. */
  headingLevel?: number;
}

export interface ExtractedDocument {
  blocks: TextBlock[];
  /** Pages of a PDF; absent for DOCX and TXT. */
  pageCount?: number;
}

/** Paragraphs of plain text: blank lines separate them, single line breaks are soft wraps. */
export function paragraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .split(/\n[ \t]*\n+/)
    .map((paragraph) => paragraph.replace(/-\n(?=\p{Ll})/gu, "").replace(/\s+/g, " ").trim())
    .filter(Boolean);
}

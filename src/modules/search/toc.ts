/**
 * Whether a passage is a table of contents (or an index) rather than content: most of its lines
 * are entries, numbered section titles or titles followed by dot leaders and a page number. Such
 * passages name every topic and answer none, so retrieval ranks them below content.
 */
const DOT_LEADER = /(?:\.\s?){4,}\s*[\divxlc]+\s*$/i;
const TRAILING_PAGE = /\S\s+[\divxlc]{1,4}\s*$/i;
const NUMBERED_TITLE = /^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.)\s+\S.{0,100}$/;
const HEADING = /^\s*(?:table of )?contents\s*$/i;
const MIN_LINES = 4;
const ENTRY_SHARE = 0.6;

export function isTableOfContents(text: string): boolean {
  const lines = text.split(/\n/).map((line) => line.trim()).filter(Boolean);
  const leaders = text.match(/(?:\.\s){4,}/g)?.length ?? 0;
  // PDF text may run entries together on one line: many dot leaders are enough.
  if (leaders >= 4) return true;
  if (lines.length < MIN_LINES) return false;
  const entries = lines.filter((line) => HEADING.test(line) || DOT_LEADER.test(line) || (NUMBERED_TITLE.test(line) && line.length < 90) || (TRAILING_PAGE.test(line) && line.length < 90 && !/[.!?]\s*\S*$/.test(line.replace(/\s+[\divxlc]{1,4}\s*$/i, ""))));
  return entries.length / lines.length >= ENTRY_SHARE;
}

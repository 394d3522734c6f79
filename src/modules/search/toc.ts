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
/** An index entry pointing at a line or a page (`* --binary: Command-Line Options. (line 114)`, as GNU Info indexes are). */
const INDEX_REFERENCE = /\((?:line|page|p\.)\s*\d+\)/gi;
/** A section number opening an entry (`4.`, `4.2.`, `4.2.1`), where text wraps the entries of a contents list into one paragraph. */
const SECTION_NUMBER = /(?:^|\s)\d+(?:\.\d+)*\.?\s+(?=\S)/g;
const MIN_ENTRIES = 4;
/** A contents list has a section number every few words; prose with numbers has far fewer. */
const MAX_WORDS_PER_ENTRY = 6;

export function isTableOfContents(text: string): boolean {
  const lines = text.split(/\n/).map((line) => line.trim()).filter(Boolean);
  const leaders = text.match(/(?:\.\s){4,}/g)?.length ?? 0;
  // PDF text may run entries together on one line: many dot leaders are enough.
  if (leaders >= 4) return true;
  if ((text.match(INDEX_REFERENCE)?.length ?? 0) >= MIN_ENTRIES) return true;
  if (lines.some((line) => HEADING.test(line)) && isDenseList(text)) return true;
  if (lines.length < MIN_LINES) return false;
  const entries = lines.filter((line) => HEADING.test(line) || DOT_LEADER.test(line) || (NUMBERED_TITLE.test(line) && line.length < 90) || (TRAILING_PAGE.test(line) && line.length < 90 && !/[.!?]\s*\S*$/.test(line.replace(/\s+[\divxlc]{1,4}\s*$/i, ""))));
  return entries.length / lines.length >= ENTRY_SHARE;
}

/** Whether section numbers come every few words, as in a contents list wrapped into running text. */
function isDenseList(text: string): boolean {
  const entries = text.match(SECTION_NUMBER)?.length ?? 0;
  const words = text.split(/\s+/).filter(Boolean).length;
  return entries >= MIN_ENTRIES && words / entries <= MAX_WORDS_PER_ENTRY;
}

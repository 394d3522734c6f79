/**
 * Exact terms: words as written, split on white space, in lower case, with surrounding brackets,
 * quotes (typographic ones too: manuals write `‘-i’`) and punctuation trimmed, so that option
 * names, paths and symbols (`-d`, `/M`, `\n`, `apt-get`, `BZ_OK`) stay whole. Search indexes
 * passages this way beside their stemmed words; grounding and the offline tutor look for a
 * question's exact terms the same way.
 */

/** What is trimmed from both ends of a word, as a regular expression (the search index's analyzer uses the same). */
export const EXACT_TRIM_PATTERN = "^[(\\[{\"'`‘“«]+|[)\\]}\"'`’”».,;:!?]+$";
const TRIM = new RegExp(EXACT_TRIM_PATTERN, "g");

/** Short English words that are no exact term worth looking for. */
const SHORT_WORDS = new Set("a an i is it of to in on at by be do go me my no or so up us we as if he am are can the and for how not was who why".split(" "));

/** Every exact term of a text, in order. */
export function exactTokens(text: string): string[] {
  return text
    .split(/\s+/)
    .map((word) => word.replace(TRIM, "").toLowerCase())
    .filter((word) => word.length > 0);
}

/** A query's exact terms worth looking for: ones with a symbol, or of one or two characters, that word analysis would lose or blur. */
export function exactTerms(query: string): string[] {
  return exactTokens(query).filter((word) => !SHORT_WORDS.has(word) && (/[^\p{L}\p{N}'’]/u.test(word) || word.length <= 2));
}

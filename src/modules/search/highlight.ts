import ENGLISH_STOPWORDS from "stopwords-en";
import { segmentsOf } from "../../lib/segments";

const WORD = /[\p{L}\p{N}]+/gu;
// The list the offline embeddings ignore too: "how", "does", "with", "into" never mark a passage.
const STOPWORDS = new Set<string>(ENGLISH_STOPWORDS);
const MAX_HIGHLIGHT = 300;
const sentences = new Intl.Segmenter("en", { granularity: "sentence" });

/** The query's words worth marking: longer than two letters and not stop words. */
export function queryTerms(query: string): Set<string> {
  return new Set([...query.toLowerCase().matchAll(WORD)].map((m) => m[0]).filter((word) => word.length > 2 && !STOPWORDS.has(word)));
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}

/**
 * The sentence of `text` sharing the most words with the query (the first sentence when none
 * does), HTML-escaped, shortened, with the shared words in `<em>`.
 */
export function highlight(text: string, terms: Set<string>): string {
  let best = "";
  let bestHits = -1;
  for (const { segment } of segmentsOf(sentences, text)) {
    const hits = [...segment.toLowerCase().matchAll(WORD)].filter((m) => terms.has(m[0])).length;
    if (hits > bestHits) {
      best = segment.trim();
      bestHits = hits;
    }
  }
  const short = best.length > MAX_HIGHLIGHT ? best.slice(0, best.lastIndexOf(" ", MAX_HIGHLIGHT) + 1 || MAX_HIGHLIGHT).trimEnd() + "…" : best;
  return escapeHtml(short).replace(WORD, (word) => (terms.has(word.toLowerCase()) ? `<em>${word}</em>` : word));
}

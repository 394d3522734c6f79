import { fold, isStopword, stemOf, surfaceWords } from "../../infra/ai/offline/text";

const TERMS_PER_TITLE = 3;
const MIN_TERM_LENGTH = 4;
// Mostly verbs and adverbs ("feared", "running", "slowly"): a title names things.
const NOT_A_NAME = /(?:ed|ing|ly)$/;

/**
 * Titles for the parts of a document that has no headings: each part's most distinctive terms
 * (frequent in it, rare in the other parts), as in "Chlorophyll, sunlight and glucose". A part
 * without a usable word is "Part n".
 */
export function titlesFromTerms(texts: string[]): string[] {
  const counted = texts.map(countTerms);
  const partsWith = new Map<string, number>();
  for (const counts of counted) for (const stem of counts.keys()) partsWith.set(stem, (partsWith.get(stem) ?? 0) + 1);
  return counted.map((counts, i) => {
    const best = [...counts.entries()]
      .map(([stem, { count, forms }]) => ({ stem, display: mostWritten(forms), score: count * Math.log((1 + texts.length) / partsWith.get(stem)!) }))
      .sort((a, b) => b.score - a.score || a.stem.localeCompare(b.stem))
      .slice(0, TERMS_PER_TITLE)
      .map((term) => term.display);
    return best.length === 0 ? `Part ${i + 1}` : capitalize(joined(best));
  });
}

function countTerms(text: string): Map<string, { count: number; forms: Map<string, number> }> {
  const counts = new Map<string, { count: number; forms: Map<string, number> }>();
  for (const surface of surfaceWords(text)) {
    const folded = fold(surface);
    if (folded.length < MIN_TERM_LENGTH || isStopword(folded) || !/^\p{L}+$/u.test(folded) || NOT_A_NAME.test(folded)) continue;
    const stem = stemOf(folded);
    const entry = counts.get(stem) ?? { count: 0, forms: new Map<string, number>() };
    entry.count += 1;
    entry.forms.set(surface, (entry.forms.get(surface) ?? 0) + 1);
    counts.set(stem, entry);
  }
  return counts;
}

/**
 * The most frequent lower-case form when the text ever writes the word so (a capital at a
 * sentence's start says nothing), else its most frequent form ("DNA", "Paris").
 */
function mostWritten(forms: Map<string, number>): string {
  const ranked = [...forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return ranked.find(([form]) => form === form.toLowerCase())?.[0] ?? ranked[0][0];
}

function joined(terms: string[]): string {
  return terms.length === 1 ? terms[0] : `${terms.slice(0, -1).join(", ")} and ${terms[terms.length - 1]}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

import { exactTerms, exactTokens } from "../../../lib/exact-terms";
import { fold, isStopword, stemOf, surfaceWords, terms } from "./text";

/**
 * What a question asks about, as terms a passage can hold: grounding (how well the retrieved
 * passages cover a question) and the offline tutor (which passage and sentences answer it) both
 * measure with these.
 */
export interface KeyTerm {
  /** The stem of a word, or an exact term as written in lower case. */
  text: string;
  /** The word as the question wrote it, to look it up in a search index that stems by itself. */
  word: string;
  /** Matched as written (`-d`, `/etc/fstab`, `bz_ok`, `12`) rather than by stem. */
  exact: boolean;
}

const POSSESSIVE = /['’]s$/;

/** The question's content words (stemmed, stop words left out) and its exact terms (with a symbol, or of one or two characters). */
export function keyTerms(question: string): KeyTerm[] {
  const asked = new Map<string, KeyTerm>();
  for (const word of surfaceWords(question)) {
    const bare = fold(word).replace(POSSESSIVE, "");
    if (isStopword(bare)) continue;
    const text = stemOf(bare);
    if (!asked.has(text)) asked.set(text, { text, word: bare, exact: false });
  }
  for (const term of exactTerms(question)) {
    const text = term.replace(POSSESSIVE, "");
    if (!asked.has(text)) asked.set(text, { text, word: text, exact: true });
  }
  return [...asked.values()];
}

/** The terms a text holds, to ask about key terms. */
export class HeldTerms {
  private readonly stems: Set<string>;
  private readonly exact: Set<string>;
  private readonly lower: string;

  constructor(text: string) {
    this.stems = new Set(terms(text));
    this.exact = new Set(exactTokens(text));
    this.lower = text.toLowerCase();
  }

  /**
   * An exact term as written, alone or at a word boundary within a longer one (`/var` in
   * `/var/cache`); a word by its stem, or a stem one letter away (begin, began).
   */
  holds(term: KeyTerm): boolean {
    if (term.exact) return this.exact.has(term.text) || boundedIn(this.lower, term.text);
    if (this.stems.has(term.text)) return true;
    if (term.text.length < 4) return false;
    for (const other of this.stems) if (oneEditApart(term.text, other)) return true;
    return false;
  }
}

/** The share (0..1) of the asked terms a text holds; 0 when nothing is asked. */
export function share(asked: KeyTerm[], text: HeldTerms): number {
  return weightedCoverage(asked, asked.map(() => 1), text);
}

/** The weighted share (0..1) of the asked terms a text holds; 0 when nothing is asked. */
export function weightedCoverage(asked: KeyTerm[], weights: number[], text: HeldTerms): number {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total === 0) return 0;
  return asked.reduce((sum, term, i) => sum + (text.holds(term) ? weights[i] : 0), 0) / total;
}

const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Whether `term` occurs in `text` with no letter or digit running on at an end where the term has one. */
function boundedIn(text: string, term: string): boolean {
  const wordStart = WORD_CHAR.test(term[0]);
  const wordEnd = WORD_CHAR.test(term[term.length - 1]);
  for (let at = text.indexOf(term); at >= 0; at = text.indexOf(term, at + 1)) {
    const before = at > 0 ? text[at - 1] : " ";
    const after = at + term.length < text.length ? text[at + term.length] : " ";
    if ((!wordStart || !WORD_CHAR.test(before)) && (!wordEnd || !WORD_CHAR.test(after))) return true;
  }
  return false;
}

/** Whether one substitution, insertion or deletion turns `a` into `b`. */
function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

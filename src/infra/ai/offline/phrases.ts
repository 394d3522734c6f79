import { exactTerms } from "../../../lib/exact-terms";
import { isStopword, stemOf, words } from "./text";

/**
 * Words that join other words in every kind of text (Lucene's English stop words, question words,
 * pronouns, auxiliaries): they say nothing of what a passage is about, so no phrase is made for
 * them, though a phrase may hold one ("instead of").
 */
const FUNCTION_WORDS = new Set(
  ("a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with " +
    "what which who whom where when why how do does did i you my your me we our its from can could should would has have had am were been being shall may might must").split(" "),
);

/**
 * The question's word pairs that carry a word its key terms leave out: two neighbouring words
 * (stemmed), one of them on the long stop list but not a function word nor part of an exact term
 * ("kept back", "instead of", "keeps its", "come from"). The long stop list keeps such words from
 * telling passages apart on their own (they are common: "back", "keep", "first"); standing beside
 * their neighbour from the question, they say the passage speaks of what the question asks.
 */
export function questionPhrases(question: string): string[] {
  const inExact = new Set(exactTerms(question).flatMap((term) => words(term)));
  const all = words(question);
  // One letter is left out for its length, not as a common word: an option or a name, asked as an exact term.
  const leftOut = (word: string) => word.length >= 2 && isStopword(word) && !FUNCTION_WORDS.has(word) && !inExact.has(word);
  const phrases = new Set<string>();
  for (let i = 1; i < all.length; i++) {
    const pair = [all[i - 1], all[i]];
    if (pair.some(leftOut)) phrases.add(pair.map(stemOf).join(" "));
  }
  return [...phrases];
}

/** How many of `phrases` a text holds as neighbouring words. */
export function phrasesHeld(phrases: string[], text: string): number {
  if (phrases.length === 0) return 0;
  const stems = words(text).map(stemOf);
  const pairs = new Set(stems.slice(1).map((stem, i) => `${stems[i]} ${stem}`));
  return phrases.filter((phrase) => pairs.has(phrase)).length;
}

import murmurhash from "murmurhash";
import { normalize } from "../vectors";
import { isStopword, terms, words } from "./text";

export const OFFLINE_EMBEDDING_MODEL = "hashed-ngrams-v1";

// Whole words matter most; word pairs reward phrasing; character n-grams catch inflections and typos.
const TERM_WEIGHT = 1;
const PAIR_WEIGHT = 0.5;
const CHAR_NGRAM_WEIGHT = 0.5;
const CHAR_NGRAM_SIZES = [3, 4];

/**
 * A deterministic lexical embedding: features (stemmed content words, pairs of neighbouring
 * content words, character n-grams of content words) hashed into `dimensions` signed buckets,
 * weights dampened by a logarithm, the whole scaled to unit length. Texts that share words
 * point the same way, so cosine search ranks passages by lexical overlap.
 */
export function embedText(text: string, dimensions: number): number[] {
  const counts = new Map<string, number>();
  const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);

  const stems = terms(text);
  for (const term of stems) add(`w:${term}`, TERM_WEIGHT);
  for (let i = 1; i < stems.length; i++) add(`p:${stems[i - 1]} ${stems[i]}`, PAIR_WEIGHT);
  for (const word of words(text)) {
    if (isStopword(word)) continue;
    const grams = charNgrams(`#${word}#`);
    for (const gram of grams) add(`c:${gram}`, CHAR_NGRAM_WEIGHT / grams.length);
  }

  const vector = new Array<number>(dimensions).fill(0);
  for (const [feature, count] of counts) {
    const hash = murmurhash.v3(feature);
    const sign = hash & 0x80000000 ? -1 : 1;
    vector[hash % dimensions] += sign * Math.log1p(count);
  }
  return normalize(vector);
}

/** `word` comes with its boundary marks (`#cell#`), so even a two-letter word has n-grams. */
function charNgrams(word: string): string[] {
  const grams: string[] = [];
  for (const size of CHAR_NGRAM_SIZES) {
    for (let i = 0; i + size <= word.length; i++) grams.push(word.slice(i, i + size));
  }
  return grams;
}

import ENGLISH_STOPWORDS from "stopwords-en";
import stem from "wink-porter2-stemmer";
import { segmentsOf } from "../../../lib/segments";

/** Lexical tools shared by the offline embeddings, answers, outlines and quizzes. */

// A long list (about 1,300 words: "every", "three", "others"...): such words make poor quiz answers and weak matches.
const STOPWORDS = new Set<string>(ENGLISH_STOPWORDS);
const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu;
const SENTENCES = new Intl.Segmenter("en", { granularity: "sentence" });

/** Lower case without accents, so "Café" and "cafe" are one word. */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
}

/** Every word of `text` as written, in order. */
export function surfaceWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** Every word of `text`, folded, in order. */
export function words(text: string): string[] {
  return surfaceWords(text).map(fold);
}

/** `text` with each word replaced by what `replace` returns for it. */
export function replaceWords(text: string, replace: (word: string) => string): string {
  return text.replace(WORD, replace);
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word) || word.length < 2;
}

/** The words that carry meaning, stemmed so "cells" matches "cell". */
export function terms(text: string): string[] {
  return words(text)
    .filter((word) => !isStopword(word))
    .map((word) => stem(word));
}

export function stemOf(word: string): string {
  return stem(fold(word));
}

/** Paragraphs: blocks separated by blank lines, trimmed, none empty. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((block) => block.trim())
    .filter(Boolean);
}

/**
 * Sentences, never spanning paragraphs or lines that stand alone (headings, list items), with
 * the words a PDF's line breaks hyphenated joined again: the tutor's quotes and citations agree.
 */
export function sentences(text: string): string[] {
  return paragraphs(text).flatMap((block) =>
    block
      .replace(/-\r?\n(?=\p{Ll})/gu, "")
      .split(/\r?\n(?=\s*(?:#|[-*•]\s|\d+[.)]\s))/)
      .flatMap((line) => [...segmentsOf(SENTENCES, line.replace(/\s+/g, " "))].map((part) => part.segment.trim()))
      .filter(Boolean),
  );
}

/**
 * GNU Info's node header (`File: sed.info,  Node: Overview,  Next: …,  Prev: …,  Up: …`), which
 * opens every node of an Info manual saved as text: it names where the reader is and the
 * neighbouring sections, so it shares words with questions about them, but says nothing. So do
 * its menus.
 */
const INFO_NODE_HEADER = /^File: [^,\s]+,\s+Node: .*$/;
/** An Info menu (`* Menu:`) or its entries (`* Hold and Pattern Buffers::`): links to other nodes. */
const INFO_MENU = /^\* (?:Menu:|[^:\n]+::(?:\s|$))/;

/**
 * A navigation line rather than a statement: never quoted. It stays in the passage, where it names
 * the section as a heading would (taking it out at ingestion lowered the held-out figures: see
 * docs/retrieval.md).
 */
export function isNavigationLine(sentence: string): boolean {
  const line = sentence.trim();
  return INFO_NODE_HEADER.test(line) || INFO_MENU.test(line);
}

export function wordCount(text: string): number {
  return words(text).length;
}

/** At most `max` characters, cut at a word boundary, with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, "")}…`;
}

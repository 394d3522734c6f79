import type { Types } from "mongoose";
import type { Chapter } from "../chapters/chapter.model";
import { QuizSourceType } from "./quiz.model";

/** One passage a question may cite, numbered from 1 in the prompt by its place in the list. */
export interface MaterialPassage {
  sourceType: QuizSourceType;
  sourceId: Types.ObjectId;
  sourceTitle: string;
  /** Position of the passage within its own source, from 0. */
  index: number;
  text: string;
  pageStart?: number;
  pageEnd?: number;
  /** The chapter a passage comes from, for weak spots. */
  chapterId?: Types.ObjectId;
}

/** Passages long enough to hold a fact with its context, short enough to cite precisely. */
const PASSAGE_TARGET_CHARS = 400;
/** Bounds the prompt for large courses and documents; passages are picked evenly across the source. */
export const MAX_PROMPT_PASSAGES = 30;
/**
 * The longest passage: a chapter written without blank lines would otherwise be one 200,000
 * character passage, and 30 of those made a 6 MB prompt (91 s of offline generation on the main
 * thread). With it, the material of any quiz is at most MAX_MATERIAL_CHARS.
 */
export const MAX_PASSAGE_CHARS = 1_200;
export const MAX_MATERIAL_CHARS = MAX_PROMPT_PASSAGES * MAX_PASSAGE_CHARS;
const EXCERPT_CHARS = 300;

/** A chapter's Markdown in paragraph-aligned passages, in order. */
export function chapterPassages(chapter: Chapter): MaterialPassage[] {
  const paragraphs = chapter.content
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph && !/^#+\s[^\n]*$/.test(paragraph))
    .flatMap(boundedPieces);
  const texts: string[] = [];
  let current = "";
  for (const paragraph of paragraphs) {
    if (current && current.length + paragraph.length > PASSAGE_TARGET_CHARS) {
      texts.push(current);
      current = "";
    }
    current = current ? `${current}\n\n${paragraph}` : paragraph;
  }
  if (current) texts.push(current);
  return texts.map((text, index) => ({
    sourceType: QuizSourceType.CHAPTER,
    sourceId: chapter._id,
    sourceTitle: chapter.title,
    index,
    text,
    chapterId: chapter._id,
  }));
}

/** A paragraph in pieces of at most MAX_PASSAGE_CHARS, cut after a sentence where there is one, else at a space. */
function boundedPieces(paragraph: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (paragraph.length - start > MAX_PASSAGE_CHARS) {
    const window = paragraph.slice(start, start + MAX_PASSAGE_CHARS);
    const sentenceEnd = Math.max(window.lastIndexOf(". "), window.lastIndexOf("! "), window.lastIndexOf("? ")) + 1;
    const space = window.lastIndexOf(" ");
    // A cut in the first half would leave a piece too short to stand as a passage.
    const cut = sentenceEnd > MAX_PASSAGE_CHARS / 2 ? sentenceEnd : space > MAX_PASSAGE_CHARS / 2 ? space : MAX_PASSAGE_CHARS;
    pieces.push(window.slice(0, cut).trim());
    start += cut;
  }
  const rest = paragraph.slice(start).trim();
  if (rest) pieces.push(rest);
  return pieces;
}

/**
 * At most `max` passages, spread evenly over the material so a long course is covered end to end,
 * each at most MAX_PASSAGE_CHARS (an upload's stored passages are cut elsewhere): the material
 * given to generation never passes MAX_MATERIAL_CHARS.
 */
export function spreadPassages(passages: MaterialPassage[], max = MAX_PROMPT_PASSAGES): MaterialPassage[] {
  const picked = passages.length <= max ? passages : Array.from({ length: max }, (_, i) => passages[Math.floor((i * passages.length) / max)]);
  return picked.map((passage) => (passage.text.length <= MAX_PASSAGE_CHARS ? passage : { ...passage, text: passage.text.slice(0, MAX_PASSAGE_CHARS) }));
}

export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1).trimEnd()}…`;
}

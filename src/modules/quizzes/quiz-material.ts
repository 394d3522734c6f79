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
const EXCERPT_CHARS = 300;

/** A chapter's Markdown in paragraph-aligned passages, in order. */
export function chapterPassages(chapter: Chapter): MaterialPassage[] {
  const paragraphs = chapter.content
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph && !/^#+\s[^\n]*$/.test(paragraph));
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

/** At most `max` passages, spread evenly over the material so a long course is covered end to end. */
export function spreadPassages(passages: MaterialPassage[], max = MAX_PROMPT_PASSAGES): MaterialPassage[] {
  if (passages.length <= max) return passages;
  return Array.from({ length: max }, (_, i) => passages[Math.floor((i * passages.length) / max)]);
}

export function excerptOf(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= EXCERPT_CHARS ? flat : `${flat.slice(0, EXCERPT_CHARS - 1).trimEnd()}…`;
}

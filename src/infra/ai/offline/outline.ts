import { raise } from "../../../lib/errors";
import type { CourseLevel, CourseOutlineTask } from "../prompts";
import type { CourseOutline } from "../schemas";
import { paragraphs, sentences, truncate, wordCount } from "./text";

type Chapter = CourseOutline["chapters"][number];
interface Section {
  title: string;
  blocks: string[];
}

const WORDS_PER_MINUTE = 200;
const MIN_DURATION_MINUTES = 5;
const MARKDOWN_HEADING = /^#{1,6}\s+(.+?)\s*#*$/;

/** A course from the document's own structure, or a clearly generic outline from a bare topic. */
export function offlineOutline(task: CourseOutlineTask): CourseOutline {
  return task.source ? outlineFromSource(task, task.source) : genericOutline(task);
}

function outlineFromSource(task: CourseOutlineTask, source: { title?: string; text: string }): CourseOutline {
  if (wordCount(source.text) === 0) raise("BAD_USER_INPUT", "The document has no text to build a course from");
  const { sections: found, headed } = splitSections(source.text);
  const sections = fitSections(found, task.numChapters).map((section, i) =>
    headed ? section : { ...section, title: `Part ${i + 1}: ${truncate(sentences(section.blocks[0])[0], 80)}` },
  );
  const title = truncate(source.title?.trim() || task.topic, 200);
  const chapters = sections.map(toChapter);
  const names = chapters.map((chapter) => chapter.title).join("; ");
  const description = truncate(
    `${capitalize(LEVEL_NAMES[task.level])} course built from “${title}”, following the document in ${chapters.length} ` +
      `chapter${chapters.length === 1 ? "" : "s"}: ${names}.`,
    1000,
  );
  return { title, description, chapters };
}

/** Sections under the document's headings, or, without headings, one per paragraph for `fitSections` to group. */
function splitSections(text: string): { sections: Section[]; headed: boolean } {
  const sections: Section[] = [];
  const preamble: string[] = [];
  for (const block of paragraphs(text)) {
    const [first, ...rest] = block.split(/\r?\n/);
    const heading = headingText(first, rest.length > 0);
    if (heading) {
      sections.push({ title: heading, blocks: rest.length > 0 ? [rest.join("\n").trim()] : [] });
    } else if (sections.length > 0) {
      sections.at(-1)!.blocks.push(block);
    } else {
      preamble.push(block);
    }
  }
  if (sections.length < 2) {
    return { sections: paragraphs(text).map((block) => ({ title: "", blocks: [block] })), headed: false };
  }
  if (preamble.length > 0) sections.unshift({ title: "Introduction", blocks: preamble });
  return { sections: sections.filter((section) => section.blocks.length > 0), headed: true };
}

/** A Markdown heading, or a short line without end punctuation standing alone above the text. */
function headingText(line: string, hasBodyBelow: boolean): string | undefined {
  const markdown = line.trim().match(MARKDOWN_HEADING);
  if (markdown) return markdown[1];
  const plain = line.trim();
  const looksLikeTitle = plain.length <= 80 && wordCount(plain) <= 10 && /^[\p{Lu}\p{N}]/u.test(plain) && !/[.!?,;:]$/.test(plain);
  return looksLikeTitle && !hasBodyBelow ? plain : undefined;
}

/** Merges the smallest neighbours, or splits the longest section, until there are `count`. */
function fitSections(sections: Section[], count: number): Section[] {
  const result = [...sections];
  const sizes = new WeakMap<Section, number>();
  const size = (section: Section) => {
    const known = sizes.get(section) ?? section.blocks.reduce((sum, block) => sum + block.length, 0);
    sizes.set(section, known);
    return known;
  };
  while (result.length > count) {
    let best = 0;
    for (let i = 1; i < result.length - 1; i++) {
      if (size(result[i]) + size(result[i + 1]) < size(result[best]) + size(result[best + 1])) best = i;
    }
    const [first, second] = [result[best], result[best + 1]];
    // The merged-in section keeps its heading inside the chapter, so nothing disappears from view.
    const merged = second.title ? [`## ${second.title}`, ...second.blocks] : second.blocks;
    result.splice(best, 2, { title: first.title, blocks: [...first.blocks, ...merged] });
  }
  while (result.length < count) {
    const splittable = result.filter((section) => section.blocks.length > 1);
    if (splittable.length === 0) break;
    const longest = splittable.reduce((a, b) => (size(b) > size(a) ? b : a));
    const at = result.indexOf(longest);
    const half = Math.ceil(longest.blocks.length / 2);
    result.splice(
      at,
      1,
      { title: longest.title, blocks: longest.blocks.slice(0, half) },
      { title: `${longest.title} (continued)`, blocks: longest.blocks.slice(half) },
    );
  }
  return result;
}

function toChapter(section: Section): Chapter {
  const content = section.blocks.join("\n\n");
  return { title: truncate(section.title, 200), content, durationMinutes: duration(content) };
}

function duration(content: string): number {
  return Math.min(600, Math.max(MIN_DURATION_MINUTES, Math.ceil(wordCount(content) / WORDS_PER_MINUTE)));
}

const GENERIC_CHAPTERS = [
  "Introduction to {topic}",
  "Core concepts of {topic}",
  "Key terms and definitions",
  "How {topic} works",
  "Methods and techniques",
  "Worked examples",
  "Common mistakes and misconceptions",
  "Tools and resources for {topic}",
  "Applying {topic} in practice",
  "Case studies",
  "Problem solving with {topic}",
  "Connections to related fields",
  "History and development of {topic}",
  "Current trends in {topic}",
  "Advanced topics in {topic}",
  "Evaluating your work",
  "Projects and exercises",
  "Frequently asked questions",
  "Where to go next",
];
const LAST_CHAPTER = "Review and summary";

const LEVEL_NAMES: Record<CourseLevel, string> = {
  BEGINNER: "a beginner",
  INTERMEDIATE: "an intermediate",
  ADVANCED: "an advanced",
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const LEVEL_AIMS: Record<CourseLevel, string> = {
  BEGINNER: "no prior knowledge is assumed",
  INTERMEDIATE: "the basics are assumed; the focus is on using them well",
  ADVANCED: "solid experience is assumed; the focus is on depth and edge cases",
};

/** Honest about what it is: a structure to fill in, not knowledge about the topic. */
function genericOutline(task: CourseOutlineTask): CourseOutline {
  const topic = task.topic.trim();
  const titles = [...GENERIC_CHAPTERS.slice(0, task.numChapters - 1), LAST_CHAPTER].map((t) => t.replace("{topic}", topic));
  const level = LEVEL_NAMES[task.level];
  const chapters = titles.map((title, i) => ({
    title: truncate(title, 200),
    content:
      `# ${title}\n\n` +
      `> Generic outline written offline, without an AI model: replace this text with your own material ` +
      `or generate the course again with an AI provider.\n\n` +
      `## Goals\n\n- Understand the place of this chapter (${i + 1} of ${titles.length}) in ${level} course on ${topic}.\n` +
      `- Note the questions you want answered about it; ${LEVEL_AIMS[task.level]}.\n`,
    durationMinutes: 15,
  }));
  return {
    title: truncate(`${topic}: ${level} course`, 200),
    description: truncate(
      `A generic ${titles.length}-chapter outline for ${level} course on ${topic}, generated offline without an AI model. ` +
        "Edit the chapters, or generate again with an AI provider for real content.",
      1000,
    ),
    chapters,
  };
}

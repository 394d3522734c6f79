import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { CourseSource, type Course, type CourseLevel } from "../courses/course.model";
import type { CourseService } from "../courses/course.service";
import type { ChapterService, NewChapter } from "../chapters/chapter.service";
import { SourceType, type Embedding } from "../search/embedding.model";
import type { PassageStore } from "../search/passage-store";
import { UploadStatus } from "./upload.model";
import type { UploadService } from "./upload.service";
import { titlesFromTerms } from "./chapter-titles";
import type { Actor } from "../../lib/identity";

type Passage = Omit<Embedding, "embedding">;

export interface CourseFromUploadRequest {
  title?: string | null;
  level: CourseLevel;
  numChapters?: number | null;
}

const DEFAULT_CHAPTERS = 5;
const WORDS_PER_MINUTE = 200;
const MAX_DURATION_MINUTES = 600;
// Chapters hold at most 200,000 characters; the citation line needs a few.
const MAX_CHAPTER_TEXT = 199_000;

interface Section {
  title: string;
  passages: Passage[];
}

/**
 * A private course (source FROM_UPLOAD) made of a ready upload's own text: chapters follow its
 * top-level headings (DOCX heading styles, a PDF's outline or heading lines) where it has them,
 * else balanced runs of passages titled by their distinctive terms; each chapter says which pages
 * it came from.
 */
export class CourseFromUploadService {
  constructor(
    private readonly deps: { uploads: UploadService; passages: PassageStore; courses: CourseService; chapters: ChapterService },
  ) {}

  async create(actor: Exclude<Actor, null>, uploadId: string, request: CourseFromUploadRequest): Promise<Course> {
    const upload = await this.deps.uploads.readableOrFail(actor, uploadId);
    if (upload.status !== UploadStatus.READY) raise("CONFLICT", "The upload is not READY yet; wait for its ingestion to finish");
    const passages = await this.deps.passages.passagesOf(SourceType.UPLOAD, upload._id);
    if (passages.length === 0) raise("CONFLICT", "The upload has no passages; reprocess it first");
    const wanted = Math.min(request.numChapters ?? DEFAULT_CHAPTERS, passages.length);
    const sections = fitSections(byHeading(passages) ?? [], wanted) ?? balanced(passages, wanted);
    const titles = titlesFromTerms(sections.map((section) => sectionText(section.passages)));
    const chapters = sections.map((section, i) => toChapter(section, section.title || titles[i], upload.title));
    const courseId = new Types.ObjectId();
    try {
      await this.deps.chapters.insertForNewCourse(courseId, chapters, async () => undefined);
      return await this.deps.courses.insertGenerated({
        _id: courseId,
        ownerId: actor._id,
        title: request.title?.trim() || upload.title,
        description: `A course made from the document "${upload.filename}".`,
        outline: chapters.map((chapter, i) => `${i + 1}. ${chapter.title}`).join("\n"),
        level: request.level,
        source: CourseSource.FROM_UPLOAD,
      });
    } catch (error) {
      await this.deps.chapters.deleteForCourse(courseId);
      throw error;
    }
  }
}

/** Runs of passages under the same top-level heading; null when the document has no headings. */
function byHeading(passages: Passage[]): Section[] | null {
  if (passages.every((passage) => !passage.heading)) return null;
  const sections: Section[] = [];
  for (const passage of passages) {
    const title = passage.heading.split(" > ")[0] || "Introduction";
    const last = sections[sections.length - 1];
    if (last && last.title === title) last.passages.push(passage);
    else sections.push({ title, passages: [passage] });
  }
  return sections;
}

/** The heading sections merged down to `wanted` (smallest neighbours first); null when there are too few. */
function fitSections(sections: Section[], wanted: number): Section[] | null {
  if (sections.length < Math.min(2, wanted)) return null;
  const merged = [...sections];
  while (merged.length > wanted) {
    let smallest = 0;
    for (let i = 1; i < merged.length - 1; i++) if (size(merged[i]) + size(merged[i + 1]) < size(merged[smallest]) + size(merged[smallest + 1])) smallest = i;
    const [a, b] = merged.slice(smallest, smallest + 2);
    merged.splice(smallest, 2, { title: a.title, passages: [...a.passages, ...b.passages] });
  }
  return merged;
}

/** `wanted` runs of consecutive passages of about equal length. */
function balanced(passages: Passage[], wanted: number): Section[] {
  const total = passages.reduce((sum, passage) => sum + passage.text.length, 0);
  const sections: Section[] = [];
  let current: Passage[] = [];
  let length = 0;
  for (const [i, passage] of passages.entries()) {
    current.push(passage);
    length += passage.text.length;
    const remainingPassages = passages.length - i - 1;
    const remainingSections = wanted - sections.length - 1;
    if (remainingSections > 0 && (length >= (total * (sections.length + 1)) / wanted || remainingPassages === remainingSections)) {
      sections.push({ title: "", passages: current });
      current = [];
    }
  }
  if (current.length) sections.push({ title: "", passages: current });
  return sections;
}

function size(section: Section): number {
  return section.passages.reduce((sum, passage) => sum + passage.text.length, 0);
}

/** The section's text without the overlap consecutive passages share. */
function sectionText(passages: Passage[]): string {
  let text = "";
  let end = -1;
  for (const passage of passages) {
    const skip = Math.max(0, end - passage.char_start);
    const fresh = passage.text.slice(skip).trim();
    if (fresh) text += (text ? (skip > 0 ? " " : "\n\n") : "") + fresh;
    end = Math.max(end, passage.char_end);
  }
  return text;
}

function toChapter(section: Section, title: string, documentTitle: string): NewChapter {
  const pages = section.passages.flatMap((p) => [p.page_start, p.page_end]).filter((page): page is number => page != null);
  const from = pages.length ? Math.min(...pages) : undefined;
  const to = pages.length ? Math.max(...pages) : undefined;
  const body = sectionText(section.passages).slice(0, MAX_CHAPTER_TEXT);
  const citation = from === undefined ? `_From "${documentTitle}"._` : `_From "${documentTitle}", ${from === to ? `page ${from}` : `pages ${from}–${to}`}._`;
  const words = body.split(/\s+/).length;
  return {
    title: title.slice(0, 200),
    content: `${citation}\n\n${body}`,
    durationMinutes: Math.min(MAX_DURATION_MINUTES, Math.max(1, Math.round(words / WORDS_PER_MINUTE))),
  };
}

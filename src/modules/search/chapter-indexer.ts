import type { Logger } from "../../lib/logger";
import type { Chapter } from "../chapters/chapter.model";
import type { ChapterService } from "../chapters/chapter.service";
import type { Types } from "mongoose";
import { chunkDocument } from "../uploads/chunker";
import { paragraphs, type TextBlock } from "../uploads/extracted";
import { SourceType } from "./embedding.model";
import type { PassageStore } from "./passage-store";

const MARKDOWN_HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

/** A chapter's Markdown as blocks: `#` lines are headings, blank lines separate paragraphs. */
export function markdownBlocks(markdown: string): TextBlock[] {
  const blocks: TextBlock[] = [];
  let body: string[] = [];
  const flush = () => {
    for (const text of paragraphs(body.join("\n"))) blocks.push({ text });
    body = [];
  };
  for (const line of markdown.replace(/\r\n?/g, "\n").split("\n")) {
    const heading = MARKDOWN_HEADING.exec(line);
    if (!heading) {
      body.push(line);
      continue;
    }
    flush();
    blocks.push({ text: heading[2], headingLevel: heading[1].length });
  }
  flush();
  return blocks;
}

/**
 * Keeps chapters' passages in step with their content. Indexing runs in the background (an AI
 * outage must not fail a chapter edit); edits of one chapter are indexed in order, so the last
 * edit wins.
 */
export class ChapterIndexer {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly deps: { passages: PassageStore; log: Logger }) {}

  saved(chapter: Chapter): void {
    this.enqueue(chapter._id, () => this.index(chapter));
  }

  deleted(chapterId: Types.ObjectId): void {
    this.enqueue(chapterId, () => this.deps.passages.remove(SourceType.CHAPTER, [chapterId]));
  }

  courseDeleted(courseId: Types.ObjectId): void {
    this.enqueue(courseId, () => this.deps.passages.removeForCourse(courseId));
  }

  /**
   * Indexes, one after another, the chapters without passages in the active embedding space:
   * chapters written before indexing existed, or before the embedding model changed.
   */
  async backfill(chapters: ChapterService, signal: AbortSignal): Promise<number> {
    const indexed = await this.deps.passages.sourcesInActiveSpace(SourceType.CHAPTER);
    let count = 0;
    for await (const batch of chapters.allExcept(indexed)) {
      for (const chapter of batch) {
        if (signal.aborted) return count;
        this.saved(chapter);
        await this.queues.get(String(chapter._id));
        count++;
      }
    }
    return count;
  }

  /** Waits for the indexing queued so far (shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all(this.queues.values());
  }

  private async index(chapter: Chapter): Promise<void> {
    await this.deps.passages.remove(SourceType.CHAPTER, [chapter._id]);
    const blocks = [{ text: chapter.title, headingLevel: 0 }, ...markdownBlocks(chapter.content)];
    const source = { type: SourceType.CHAPTER, id: chapter._id, title: chapter.title, courseId: chapter.course_id };
    await this.deps.passages.store(source, chunkDocument(blocks), async () => undefined);
  }

  private enqueue(id: Types.ObjectId, work: () => Promise<void>): void {
    const key = String(id);
    const next = (this.queues.get(key) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => this.deps.log.warn({ err: error, id: key }, "search: indexing a chapter failed"))
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      });
    this.queues.set(key, next);
  }
}

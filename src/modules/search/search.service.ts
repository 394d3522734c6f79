import type { Types } from "mongoose";
import type { AiProvider } from "../../infra/ai/provider";
import { raise } from "../../lib/errors";
import type { CourseService } from "../courses/course.service";
import { SourceType } from "./embedding.model";
import { highlight, queryTerms } from "./highlight";
import type { SearchHit } from "./search.types";
import type { LexicalIndex, TermFrequencies } from "./lexical-index";
import type { PassageRanker } from "./passage-ranker";
import type { VectorFilter } from "./vector-index";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";

export interface SearchRequest {
  query: string;
  sourceTypes?: SourceType[] | null;
  courseId?: string | null;
  uploadId?: string | null;
  limit: number;
}

/**
 * Search over what the caller may read: their own uploads, and chapters of courses they may read
 * (their own, the public catalog; every course for an admin), ranked by `PassageRanker`.
 */
export class SearchService {
  constructor(private readonly deps: { ai: AiProvider; ranker: PassageRanker; lexical: Pick<LexicalIndex, "frequencies">; courses: CourseService }) {}

  async search(actor: Exclude<Actor, null>, request: SearchRequest): Promise<SearchHit[]> {
    const filter = await this.scope(actor, request);
    if (!filter) return [];
    const [queryVector] = await this.deps.ai.embed([request.query], "query", { userId: String(actor._id) });
    const matches = await this.deps.ranker.rank(request.query, queryVector, filter, request.limit);
    const terms = queryTerms(request.query);
    return matches.map(({ passage, score, lexicalScore, rankings }) => ({
      score,
      lexicalScore,
      rankings,
      toc: passage.toc ?? false,
      text: passage.text,
      highlight: highlight(passage.text, terms),
      source: { type: passage.source_type, id: passage.source_id, title: passage.source_title, courseId: passage.course_id },
      pageStart: passage.page_start,
      pageEnd: passage.page_end,
      heading: passage.heading,
      chunkIndex: passage.chunk_index,
    }));
  }

  /**
   * How many of the passages the caller may read within the request's scope hold each word (by
   * its stem) or exact term, and how many there are: how the tutor tells a question's telling
   * terms from its common ones, and a term the material never uses.
   */
  async frequencies(actor: Exclude<Actor, null>, request: Omit<SearchRequest, "query" | "limit">, terms: { word: string; exact: boolean }[]): Promise<TermFrequencies> {
    const filter = await this.scope(actor, { ...request, query: "", limit: 1 });
    return filter ? this.deps.lexical.frequencies(terms, filter) : { passages: 0, counts: terms.map(() => 0) };
  }

  /** The pre-filter: only passages of the active embedding space the actor may read; null when nothing can match. */
  private async scope(actor: Exclude<Actor, null>, request: SearchRequest): Promise<VectorFilter | null> {
    const types = new Set(request.sourceTypes?.length ? request.sourceTypes : [SourceType.UPLOAD, SourceType.CHAPTER]);
    const uploadId = request.uploadId != null ? idOrNotFound(request.uploadId, "Upload") : undefined;
    const courseId = request.courseId != null ? idOrNotFound(request.courseId, "Course") : undefined;
    // Naming an upload or a course narrows the search to that source type.
    if (uploadId && !courseId) types.delete(SourceType.CHAPTER);
    if (courseId && !uploadId) types.delete(SourceType.UPLOAD);
    const branches: VectorFilter[] = [];
    if (types.has(SourceType.UPLOAD)) {
      branches.push({ source_type: SourceType.UPLOAD, owner_id: actor._id, ...(uploadId && { source_id: uploadId }) });
    }
    if (types.has(SourceType.CHAPTER)) {
      const courseIds = courseId ? await this.readableCourse(actor, courseId) : await this.deps.courses.readableIds(actor);
      if (courseIds.length > 0) branches.push({ source_type: SourceType.CHAPTER, course_id: { $in: courseIds } });
    }
    if (branches.length === 0) return null;
    return { embedding_model_id: this.deps.ai.embeddingModelId, ...(branches.length === 1 ? branches[0] : { $or: branches }) };
  }

  private async readableCourse(actor: Actor, courseId: Types.ObjectId): Promise<Types.ObjectId[]> {
    const course = await this.deps.courses.readable(actor, String(courseId));
    return course ? [course._id] : raise("NOT_FOUND", "Course not found");
  }
}

function idOrNotFound(id: string, what: string): Types.ObjectId {
  return asObjectId(id) ?? raise("NOT_FOUND", `${what} not found`);
}

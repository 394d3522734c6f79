import { GraphQLError } from "graphql";
import type { SearchService } from "../search/search.service";
import type { SearchHit } from "../search/search.types";
import type { ChatScope, Citation } from "./chat.model";
import type { Actor } from "../../lib/identity";

export interface RetrievalSettings {
  /** Passages kept per question. */
  passages: number;
  /** Score (0..1) a passage needs to be given to the model at all. */
  minRelevance: number;
}

/** The top passages of a session's scope that are relevant enough to answer from. */
export class ChatRetriever {
  constructor(private readonly deps: { search: Pick<SearchService, "search">; settings: RetrievalSettings }) {}

  async retrieve(actor: Exclude<Actor, null>, scope: ChatScope, question: string): Promise<SearchHit[]> {
    const { passages, minRelevance } = this.deps.settings;
    const requests = [
      ...(scope.course_id ? [{ courseId: String(scope.course_id) }] : []),
      ...scope.upload_ids.map((id) => ({ uploadId: String(id) })),
    ];
    const found = await Promise.all(
      requests.map((request) => this.deps.search.search(actor, { query: question, limit: passages, ...request }).catch(goneIsEmpty)),
    );
    return found
      .flat()
      .filter((hit) => hit.score >= minRelevance)
      .sort((a, b) => b.score - a.score)
      .slice(0, passages);
  }
}

/** A course deleted or made private since the session began is no longer material, not an error. */
function goneIsEmpty(error: unknown): SearchHit[] {
  if (error instanceof GraphQLError && error.extensions.code === "NOT_FOUND") return [];
  throw error;
}

/**
 * The passages an answer cites as `[n]` (also `[1, 2]`), in number order. Numbers that point to
 * no retrieved passage are dropped: a model may invent them.
 */
export function citationsFrom(answer: string, hits: SearchHit[]): Citation[] {
  // What the answer says with each number: the sentences that cite it.
  const claims = new Map<number, string[]>();
  for (const sentence of sentences(answer)) {
    for (const [, numbers] of sentence.matchAll(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g)) {
      for (const number of numbers.split(/[,;]/).map(Number)) claims.set(number, [...(claims.get(number) ?? []), sentence]);
    }
  }
  return [...claims.keys()]
    .filter((n) => n >= 1 && n <= hits.length)
    .sort((a, b) => a - b)
    .map((n) => {
      const hit = hits[n - 1];
      return {
        index: n,
        source_type: hit.source.type,
        source_id: hit.source.id,
        title: hit.source.title,
        page_start: hit.pageStart ?? null,
        page_end: hit.pageEnd ?? null,
        chunk_index: hit.chunkIndex,
        quote: closestSentence(hit.text, claims.get(n) ?? []),
      };
    });
}

function sentences(text: string): string[] {
  return text.split(/(?<=[.!?])\s+|\n+/).map((sentence) => sentence.trim()).filter(Boolean);
}

function words(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);
}

/** The passage's sentence sharing the most words with the claims that cite it (the first on a tie). */
function closestSentence(passage: string, claims: string[]): string {
  const claimed = words(claims.join(" "));
  let best = { sentence: "", shared: -1 };
  for (const sentence of sentences(passage)) {
    const shared = [...words(sentence)].filter((word) => claimed.has(word)).length;
    if (shared > best.shared) best = { sentence, shared };
  }
  return best.sentence;
}

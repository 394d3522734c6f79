import type { Types } from "mongoose";
import { dot } from "../../infra/ai/vectors";
import type { Logger } from "../../lib/logger";
import { EmbeddingModel, type Embedding } from "./embedding.model";

export const VECTOR_INDEX_NAME = "vector_index";

/** Fields `$vectorSearch` may pre-filter on; they must be declared in the index. */
const FILTER_FIELDS = ["source_type", "source_id", "owner_id", "course_id", "embedding_model_id"] as const;

export type VectorFilter = Record<string, unknown>;

export type StoredPassage = Omit<Embedding, "embedding">;

export interface VectorMatch {
  passage: StoredPassage;
  /** Atlas's cosine score: (1 + cosine) / 2, from 0 to 1. */
  score: number;
}

type Mode = "vector-search" | "exact";

// Start-up does not wait long for a model server that is down: the index then follows the first search.
const DIMENSIONS_WAIT_MS = 10_000;

/**
 * Nearest passages by cosine similarity. Where the database has vector search (Atlas,
 * atlas-local, the embedded engine) it runs `$vectorSearch` on `vector_index`; elsewhere it
 * ranks the filtered passages itself, exactly, and says so once in the log.
 */
export class VectorIndex {
  private mode: Mode = "vector-search";
  /** The vector size the search index is (being) defined for; concurrent searches wait for one definition. */
  private definition?: { dimensions: number; done: Promise<void> };

  /** `dimensions`: the active embedding model's vector size, which some providers learn by asking it. */
  constructor(private readonly deps: { dimensions: (options: { signal: AbortSignal }) => Promise<number>; log: Logger }) {}

  /** Creates the search index if it is missing, for the embedding model's vector size; decides the mode. */
  async ensure(): Promise<void> {
    let dimensions: number;
    try {
      dimensions = await this.deps.dimensions({ signal: AbortSignal.timeout(DIMENSIONS_WAIT_MS) });
    } catch (error) {
      this.deps.log.warn({ err: (error as Error).message }, "search: the embedding model did not tell its vector size; the vector index follows the first search");
      return;
    }
    await this.define(dimensions);
  }

  async nearest(queryVector: number[], filter: VectorFilter, limit: number): Promise<VectorMatch[]> {
    return (await this.usable(queryVector)) ? this.vectorSearch(queryVector, filter, limit) : this.exact(queryVector, filter, limit);
  }

  /** Whether `$vectorSearch` serves vectors like this one (the index defined for their size). */
  async usable(queryVector: number[]): Promise<boolean> {
    if (this.mode === "vector-search") await this.define(queryVector.length);
    return this.mode === "vector-search";
  }

  private define(dimensions: number): Promise<void> {
    if (this.definition?.dimensions !== dimensions) this.definition = { dimensions, done: this.writeDefinition(dimensions) };
    return this.definition.done;
  }

  private async writeDefinition(dimensions: number): Promise<void> {
    try {
      await EmbeddingModel.createCollection().catch(() => undefined);
      const definition = {
        fields: [
          { type: "vector", path: "embedding", numDimensions: dimensions, similarity: "cosine" },
          ...FILTER_FIELDS.map((path) => ({ type: "filter", path })),
        ],
      };
      const [existing] = (await EmbeddingModel.collection.listSearchIndexes(VECTOR_INDEX_NAME).toArray()) as { latestDefinition?: unknown }[];
      if (!existing) {
        await EmbeddingModel.collection.createSearchIndex({ name: VECTOR_INDEX_NAME, type: "vectorSearch", definition });
      } else if (JSON.stringify(existing.latestDefinition) !== JSON.stringify(definition)) {
        // The embedding model or EMBEDDING_DIMENSIONS changed, or this code declares other filter fields.
        await EmbeddingModel.collection.updateSearchIndex(VECTOR_INDEX_NAME, definition);
      }
      this.mode = "vector-search";
    } catch (error) {
      this.mode = "exact";
      this.deps.log.warn(
        { err: (error as Error).message },
        "search: this MongoDB has no vector search (use Atlas or mongodb-atlas-local); ranking passages in the API process instead",
      );
    }
  }

  private async vectorSearch(queryVector: number[], filter: VectorFilter, limit: number): Promise<VectorMatch[]> {
    const rows = await EmbeddingModel.aggregate<StoredPassage & { score: number }>([
      vectorSearchStage(queryVector, filter, limit) as never,
      { $project: { embedding: 0 } },
      { $addFields: { score: { $meta: "vectorSearchScore" } } },
    ]).exec();
    return rows.map(({ score, ...passage }) => ({ passage, score }));
  }

  /** Cosine scores (0..1) of these passages, for those found by other means. */
  async scores(queryVector: number[], ids: Types.ObjectId[]): Promise<Map<string, number>> {
    const rows = await EmbeddingModel.find({ _id: { $in: ids } }).select("+embedding").select({ embedding: 1 }).lean<Pick<Embedding, "_id" | "embedding">[]>().exec();
    return new Map(rows.map(({ _id, embedding }) => [String(_id), (1 + dot(embedding, queryVector)) / 2]));
  }

  private async exact(queryVector: number[], filter: VectorFilter, limit: number): Promise<VectorMatch[]> {
    const matches: VectorMatch[] = [];
    const cursor = EmbeddingModel.find(filter).select("+embedding").lean<Embedding>().cursor();
    for await (const { embedding, ...passage } of cursor) matches.push({ passage, score: (1 + dot(embedding, queryVector)) / 2 });
    return matches.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}

/** The `$vectorSearch` stage for the nearest `limit` passages within a filter. */
export function vectorSearchStage(queryVector: number[], filter: VectorFilter, limit: number): Record<string, unknown> {
  return { $vectorSearch: { index: VECTOR_INDEX_NAME, path: "embedding", queryVector, numCandidates: limit * 10, limit, filter } };
}

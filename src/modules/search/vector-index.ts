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

/**
 * Nearest passages by cosine similarity. Where the database has vector search (Atlas,
 * atlas-local, the embedded engine) it runs `$vectorSearch` on `vector_index`; elsewhere it
 * ranks the filtered passages itself, exactly, and says so once in the log.
 */
export class VectorIndex {
  private mode: Mode = "vector-search";

  constructor(private readonly deps: { dimensions: number; log: Logger }) {}

  /** Creates the search index if it is missing; decides the mode. */
  async ensure(): Promise<void> {
    try {
      await EmbeddingModel.createCollection().catch(() => undefined);
      const definition = {
        fields: [
          { type: "vector", path: "embedding", numDimensions: this.deps.dimensions, similarity: "cosine" },
          ...FILTER_FIELDS.map((path) => ({ type: "filter", path })),
        ],
      };
      const [existing] = (await EmbeddingModel.collection.listSearchIndexes(VECTOR_INDEX_NAME).toArray()) as { latestDefinition?: unknown }[];
      if (!existing) {
        await EmbeddingModel.collection.createSearchIndex({ name: VECTOR_INDEX_NAME, type: "vectorSearch", definition });
      } else if (JSON.stringify(existing.latestDefinition) !== JSON.stringify(definition)) {
        // EMBEDDING_DIMENSIONS changed, or this code declares other filter fields.
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

  async nearest(queryVector: number[], filter: VectorFilter, limit: number): Promise<VectorMatch[]> {
    return this.mode === "vector-search" ? this.vectorSearch(queryVector, filter, limit) : this.exact(queryVector, filter, limit);
  }

  private async vectorSearch(queryVector: number[], filter: VectorFilter, limit: number): Promise<VectorMatch[]> {
    const rows = await EmbeddingModel.aggregate<StoredPassage & { score: number }>([
      { $vectorSearch: { index: VECTOR_INDEX_NAME, path: "embedding", queryVector, numCandidates: limit * 10, limit, filter } },
      { $project: { embedding: 0 } },
      { $addFields: { score: { $meta: "vectorSearchScore" } } },
    ]).exec();
    return rows.map(({ score, ...passage }) => ({ passage, score }));
  }

  private async exact(queryVector: number[], filter: VectorFilter, limit: number): Promise<VectorMatch[]> {
    const matches: VectorMatch[] = [];
    const cursor = EmbeddingModel.find(filter).select("+embedding").lean<Embedding>().cursor();
    for await (const { embedding, ...passage } of cursor) {
      let dot = 0;
      for (let i = 0; i < embedding.length; i++) dot += embedding[i] * queryVector[i];
      matches.push({ passage, score: (1 + dot) / 2 });
    }
    return matches.sort((a, b) => b.score - a.score).slice(0, limit);
  }
}

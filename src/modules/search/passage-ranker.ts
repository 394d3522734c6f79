import { fuseRanks } from "../../embedded-mongo/query";
import type { Logger } from "../../lib/logger";
import { EmbeddingModel } from "./embedding.model";
import { lexicalSearchStage, type LexicalIndex } from "./lexical-index";
import { SearchRanking as Ranking } from "./search.types";
import { vectorSearchStage, type StoredPassage, type VectorFilter, type VectorIndex } from "./vector-index";


export interface RankedPassage {
  passage: StoredPassage;
  /** Cosine similarity mapped to 0..1, for every passage (also those only the lexical side found). */
  score: number;
  /** BM25, where the lexical side found it. */
  lexicalScore: number | null;
  /** The rankings that found it. */
  rankings: Ranking[];
}

/** Candidates each side brings to the fusion, at least. */
const MIN_CANDIDATES = 20;

type Fusion = "database" | "service";

interface FusedRow extends StoredPassage {
  details?: { details?: { inputPipelineName: string; rank?: number; value?: number }[] };
}

/**
 * Search's ranking: vector only, or hybrid (BM25 and vector rankings fused by reciprocal rank
 * fusion). Hybrid runs as one `$rankFusion` where the database has it (the embedded engine,
 * MongoDB 8.1+ with search); elsewhere the two rankings are fetched apart and fused here, said
 * once in the log. Tables of contents are ranked below content.
 */
export class PassageRanker {
  private fusion: Fusion = "database";

  constructor(private readonly deps: { vectors: VectorIndex; lexical: LexicalIndex; ranking: "hybrid" | "vector"; log: Logger }) {}

  async rank(query: string, queryVector: number[], filter: VectorFilter, limit: number): Promise<RankedPassage[]> {
    const candidates = Math.max(limit * 2, MIN_CANDIDATES);
    const found = this.deps.ranking === "vector" ? await this.vectorOnly(queryVector, filter, candidates) : await this.hybrid(query, queryVector, filter, candidates);
    // Stable: content keeps its order, tables of contents follow it.
    const ordered = [...found.filter((hit) => !hit.passage.toc), ...found.filter((hit) => hit.passage.toc)].slice(0, limit);
    const missing = ordered.filter((hit) => Number.isNaN(hit.score)).map((hit) => hit.passage._id);
    if (missing.length > 0) {
      const scores = await this.deps.vectors.scores(queryVector, missing);
      for (const hit of ordered) if (Number.isNaN(hit.score)) hit.score = scores.get(String(hit.passage._id)) ?? 0;
    }
    return ordered;
  }

  private async vectorOnly(queryVector: number[], filter: VectorFilter, limit: number): Promise<RankedPassage[]> {
    const matches = await this.deps.vectors.nearest(queryVector, filter, limit);
    return matches.map(({ passage, score }) => ({ passage, score, lexicalScore: null, rankings: [Ranking.VECTOR] }));
  }

  private async hybrid(query: string, queryVector: number[], filter: VectorFilter, candidates: number): Promise<RankedPassage[]> {
    const inDatabase = this.fusion === "database" && (await this.deps.vectors.usable(queryVector)) && (await this.deps.lexical.ensure(), this.deps.lexical.usesSearch);
    if (inDatabase) {
      try {
        return await this.fusedInDatabase(query, queryVector, filter, candidates);
      } catch (error) {
        this.fusion = "service";
        this.deps.log.warn({ err: (error as Error).message }, "search: this MongoDB has no $rankFusion (8.1+); fusing the lexical and vector rankings in the API process instead");
      }
    }
    const [vector, lexical] = await Promise.all([this.deps.vectors.nearest(queryVector, filter, candidates), this.deps.lexical.search(query, filter, candidates)]);
    const fused = fuseRanks(
      [
        { name: "vector", weight: 1, docs: vector.map(({ passage, score }) => ({ doc: passage, score })) },
        { name: "lexical", weight: 1, docs: lexical.map(({ passage, score }) => ({ doc: passage, score })) },
      ],
      true,
    );
    return fused.slice(0, candidates).map(({ doc, details }) => fromDetails(doc as StoredPassage, details as FusedRow["details"]));
  }

  private async fusedInDatabase(query: string, queryVector: number[], filter: VectorFilter, candidates: number): Promise<RankedPassage[]> {
    const rows = await EmbeddingModel.aggregate<FusedRow>([
      {
        $rankFusion: {
          input: {
            pipelines: {
              vector: [vectorSearchStage(queryVector, filter, candidates)],
              lexical: [lexicalSearchStage(query, filter), { $limit: candidates }],
            },
          },
          scoreDetails: true,
        },
      } as never,
      { $limit: candidates },
      { $project: { embedding: 0 } },
      { $addFields: { details: { $meta: "scoreDetails" } } },
    ]).exec();
    return rows.map(({ details, ...passage }) => fromDetails(passage, details));
  }
}

/** Which pipelines found a fused passage, and their scores, from `$rankFusion`'s score details. */
function fromDetails(passage: StoredPassage, details: FusedRow["details"]): RankedPassage {
  const from = (details?.details ?? []).filter((detail) => detail.rank === undefined || detail.rank > 0);
  const vector = from.find((detail) => detail.inputPipelineName === "vector");
  const lexical = from.find((detail) => detail.inputPipelineName === "lexical");
  const rankings = [...(lexical ? [Ranking.LEXICAL] : []), ...(vector ? [Ranking.VECTOR] : [])];
  return {
    passage,
    score: typeof vector?.value === "number" ? vector.value : Number.NaN,
    lexicalScore: typeof lexical?.value === "number" ? lexical.value : null,
    rankings,
  };
}

import { searchStage } from "../../embedded-mongo/query";
import { EXACT_TRIM_PATTERN, exactTerms } from "../../lib/exact-terms";
import type { Logger } from "../../lib/logger";
import { EmbeddingModel } from "./embedding.model";
import type { StoredPassage, VectorFilter } from "./vector-index";

export const LEXICAL_INDEX_NAME = "lexical_index";

/**
 * The Atlas Search index of passages: the text and heading with `lucene.english` (stop words,
 * stems), the text again as exact terms (split on white space, lower case, surrounding
 * punctuation trimmed: `-d`, `/M`, `\n`, `apt-get` stay whole), and the fields search filters on.
 */
export const LEXICAL_INDEX_DEFINITION = {
  analyzer: "lucene.english",
  mappings: {
    dynamic: false,
    fields: {
      text: { type: "string", analyzer: "lucene.english", multi: { exact: { type: "string", analyzer: "exactTerms" } } },
      heading: { type: "string", analyzer: "lucene.english" },
      source_type: { type: "token" },
      embedding_model_id: { type: "token" },
      source_id: { type: "objectId" },
      owner_id: { type: "objectId" },
      course_id: { type: "objectId" },
    },
  },
  analyzers: [
    {
      name: "exactTerms",
      tokenizer: { type: "whitespace" },
      tokenFilters: [{ type: "lowercase" }, { type: "regex", pattern: EXACT_TRIM_PATTERN, replacement: "", matches: "all" }],
    },
  ],
};

/** A vector pre-filter (equality, `$in`, `$or` of those) as `$search` compound filter clauses. */
export function searchFilter(filter: VectorFilter): object[] {
  return Object.entries(filter).map(([path, value]) => {
    if (path === "$or") {
      const branches = value as VectorFilter[];
      return { compound: { should: branches.map((branch) => ({ compound: { filter: searchFilter(branch) } })), minimumShouldMatch: 1 } };
    }
    if (value && typeof value === "object" && "$in" in (value as object)) return { in: { path, value: (value as { $in: unknown[] }).$in } };
    return { equals: { path, value } };
  });
}

/** The `$search` stage for a query within a filter: BM25 over text and heading, plus exact terms. */
export function lexicalSearchStage(query: string, filter: VectorFilter): Record<string, unknown> {
  const exact = exactTerms(query);
  return {
    $search: {
      index: LEXICAL_INDEX_NAME,
      compound: {
        should: [
          { text: { query, path: ["text", "heading"] } },
          ...(exact.length > 0 ? [{ text: { query: exact.join(" "), path: { value: "text", multi: "exact" } } }] : []),
        ],
        minimumShouldMatch: 1,
        filter: searchFilter(filter),
      },
    },
  };
}

export interface LexicalMatch {
  passage: StoredPassage;
  /** BM25, unbounded: only the order means something. */
  score: number;
}

type Mode = "search" | "exact";

export interface TermFrequencies {
  /** Passages within the filter. */
  passages: number;
  /** For each term, the passages that hold it. */
  counts: number[];
}

/**
 * BM25 ranking of passages. Where the database has Atlas Search (Atlas, atlas-local, the
 * embedded engine) it runs `$search` on `lexical_index`; elsewhere it ranks the filtered
 * passages in this process with the embedded engine's implementation, and says so once.
 */
export class LexicalIndex {
  private mode: Mode = "search";
  private defined?: Promise<void>;

  constructor(private readonly deps: { log: Logger }) {}

  get usesSearch(): boolean {
    return this.mode === "search";
  }

  ensure(): Promise<void> {
    return (this.defined ??= this.define());
  }

  async search(query: string, filter: VectorFilter, limit: number): Promise<LexicalMatch[]> {
    await this.ensure();
    if (this.mode === "exact") return this.exact(query, filter, limit);
    const rows = await EmbeddingModel.aggregate<StoredPassage & { score: number }>([
      lexicalSearchStage(query, filter) as never,
      { $limit: limit },
      { $project: { embedding: 0 } },
      { $addFields: { score: { $meta: "searchScore" } } },
    ]).exec();
    return rows.map(({ score, ...passage }) => ({ passage, score }));
  }

  /**
   * How many passages within `filter` hold each word (through the text analyzer, so `upgrading`
   * finds `upgrade`) or exact term (as written), and how many passages there are: what grounding
   * weighs a question's terms by. One `$search` a term.
   */
  async frequencies(terms: { word: string; exact: boolean }[], filter: VectorFilter): Promise<TermFrequencies> {
    await this.ensure();
    const clause = (term: { word: string; exact: boolean }) => ({ text: { query: term.word, path: term.exact ? { value: "text", multi: "exact" } : ["text", "heading"] } });
    if (this.mode === "exact") {
      const passages = (await EmbeddingModel.find(filter).lean<StoredPassage[]>().exec()) as never[];
      const counts = terms.map((term) => searchStage(passages, LEXICAL_INDEX_DEFINITION, LEXICAL_INDEX_NAME, { index: LEXICAL_INDEX_NAME, compound: { must: [clause(term)] } }).length);
      return { passages: passages.length, counts };
    }
    const [passages, counts] = await Promise.all([
      EmbeddingModel.countDocuments(filter).exec(),
      Promise.all(
        terms.map(async (term) => {
          const stage = { $search: { index: LEXICAL_INDEX_NAME, compound: { must: [clause(term)], filter: searchFilter(filter) } } };
          const [row] = await EmbeddingModel.aggregate<{ n: number }>([stage as never, { $count: "n" }]).exec();
          return row?.n ?? 0;
        }),
      ),
    ]);
    return { passages, counts };
  }

  private async define(): Promise<void> {
    try {
      await EmbeddingModel.createCollection().catch(() => undefined);
      const [existing] = (await EmbeddingModel.collection.listSearchIndexes(LEXICAL_INDEX_NAME).toArray()) as { latestDefinition?: unknown }[];
      if (!existing) await EmbeddingModel.collection.createSearchIndex({ name: LEXICAL_INDEX_NAME, type: "search", definition: LEXICAL_INDEX_DEFINITION });
      else if (JSON.stringify(existing.latestDefinition) !== JSON.stringify(LEXICAL_INDEX_DEFINITION)) {
        await EmbeddingModel.collection.updateSearchIndex(LEXICAL_INDEX_NAME, LEXICAL_INDEX_DEFINITION);
      }
    } catch (error) {
      this.mode = "exact";
      this.deps.log.warn(
        { err: (error as Error).message },
        "search: this MongoDB has no Atlas Search (use Atlas or mongodb-atlas-local); ranking passages by BM25 in the API process instead",
      );
    }
  }

  private async exact(query: string, filter: VectorFilter, limit: number): Promise<LexicalMatch[]> {
    const passages = await EmbeddingModel.find(filter).lean<StoredPassage[]>().exec();
    const stage = lexicalSearchStage(query, {}).$search as Record<string, unknown>;
    return searchStage(passages as never[], LEXICAL_INDEX_DEFINITION, LEXICAL_INDEX_NAME, stage)
      .slice(0, limit)
      .map(({ doc, score }) => ({ passage: doc as unknown as StoredPassage, score }));
  }
}

import type { Document } from "bson";
import { commandError } from "../errors";
import { checkInterrupted } from "../operations";
import { isPlainObject, ownValue } from "../query/paths";
import type { Collection } from "../storage/collection";
import { optionalNumber } from "./args";
import type { CommandContext } from "./context";
import { listSearchIndexes } from "./search-indexes";
import { runPipeline } from "../query";
import { rankFusion, textSearch } from "./search-stages";
import { selectDocuments } from "./select";
import { resolver } from "./views";

/**
 * Where a leading search stage (`$vectorSearch`, `$search`, `$rankFusion`) puts each result's
 * `{ score, details }` for `{ $meta: ... }` to read; removed from the pipeline's output.
 */
export const SCORE_FIELD = "__searchMeta";

type Similarity = "cosine" | "dotProduct" | "euclidean";

/** Documents scored between two yields to the event loop (about 1 ms at 768 dimensions). */
const SCAN_SLICE = 1_000;

interface CachedVector {
  values: Float32Array;
  norm: number;
}

/**
 * Vectors decoded once per stored document and path. Keyed by the stored document object: every
 * write stores a new object for its _id, so an entry can never outlive the version it was built
 * from, and deleted documents' entries go with them.
 */
const vectorCache = new Map<string, WeakMap<Document, CachedVector | null>>();

function cacheFor(path: string): WeakMap<Document, CachedVector | null> {
  let byDoc = vectorCache.get(path);
  if (!byDoc) vectorCache.set(path, (byDoc = new WeakMap()));
  return byDoc;
}

function decode(doc: Document, parts: string[], dims: number): CachedVector | null {
  return toVector(parts.reduce<unknown>((value, part) => (isPlainObject(value) ? ownValue(value, part) : undefined), doc), dims);
}

function toVector(value: unknown, dims: number): CachedVector | null {
  if (!Array.isArray(value) || value.length !== dims) return null;
  const values = new Float32Array(dims);
  let sum = 0;
  for (let i = 0; i < dims; i++) {
    const n = value[i];
    if (typeof n !== "number") return null;
    values[i] = n;
    sum += n * n;
  }
  return { values, norm: Math.sqrt(sum) };
}

function score(similarity: Similarity, query: CachedVector, doc: CachedVector): number {
  const q = query.values;
  const d = doc.values;
  if (similarity === "euclidean") {
    let sum = 0;
    for (let i = 0; i < q.length; i++) sum += (q[i] - d[i]) ** 2;
    return 1 / (1 + sum);
  }
  let dot = 0;
  for (let i = 0; i < q.length; i++) dot += q[i] * d[i];
  if (similarity === "dotProduct") return (1 + dot) / 2;
  return query.norm === 0 || doc.norm === 0 ? 0.5 : (1 + dot / (query.norm * doc.norm)) / 2;
}

/** Field paths a filter reads, through $and/$or/$nor. */
function filterPaths(filter: Document, out = new Set<string>()): Set<string> {
  for (const [key, value] of Object.entries(filter)) {
    if (key === "$and" || key === "$or" || key === "$nor") {
      if (Array.isArray(value)) for (const branch of value) if (isPlainObject(branch)) filterPaths(branch, out);
    } else if (!key.startsWith("$")) out.add(key);
  }
  return out;
}

/**
 * Atlas's `$vectorSearch` over the engine's documents: exact nearest neighbours (numCandidates is
 * validated, and every pre-filtered document is a candidate) by the index's similarity, best
 * first, with Atlas's normalised scores. A missing index yields no results, as on Atlas.
 */
export async function vectorSearch(coll: Collection | undefined, ctx: CommandContext, spec: unknown): Promise<Document[]> {
  if (!isPlainObject(spec)) throw commandError("FailedToParse", "$vectorSearch takes an object");
  const limit = optionalNumber(spec, "limit");
  const exact = spec.exact === true;
  const numCandidates = optionalNumber(spec, "numCandidates");
  if (limit === undefined || !Number.isInteger(limit) || limit < 1) throw commandError("FailedToParse", "$vectorSearch.limit must be a positive integer");
  if (!exact && (numCandidates === undefined || numCandidates < limit || numCandidates > 10_000)) {
    throw commandError("FailedToParse", "$vectorSearch.numCandidates must be at least limit and at most 10000 (or set exact: true)");
  }
  if (typeof spec.path !== "string") throw commandError("FailedToParse", "$vectorSearch.path must be a string");
  if (!Array.isArray(spec.queryVector)) throw commandError("FailedToParse", "$vectorSearch.queryVector must be an array of numbers");
  const filter = spec.filter === undefined ? {} : spec.filter;
  if (!isPlainObject(filter)) throw commandError("FailedToParse", "$vectorSearch.filter must be an object");
  if (!coll) return [];
  const index = coll.searchIndexes.get(String(spec.index));
  if (!index || index.type !== "vectorSearch") return [];
  const fields = index.definition.fields as Document[];
  const vectorField = fields.find((field) => field.type === "vector" && field.path === spec.path);
  if (!vectorField) throw commandError("BadValue", `Path '${spec.path}' needs to be indexed as vector`);
  const filterFields = new Set(fields.filter((field) => field.type === "filter").map((field) => field.path as string));
  for (const path of filterPaths(filter)) {
    if (!filterFields.has(path)) throw commandError("BadValue", `Path '${path}' needs to be indexed as filter`);
  }
  const dims = Number(vectorField.numDimensions);
  const query = toVector(spec.queryVector, dims);
  if (!query) throw commandError("BadValue", `queryVector must have ${dims} numbers, as the index '${index.name}' declares`);
  const similarity = vectorField.similarity as Similarity;
  const parts = spec.path.split(".");
  const top = new TopK<Document>(limit);
  const cache = cacheFor(spec.path);
  // No filter: every stored document is a candidate, without building the list first.
  const candidates = Object.keys(filter).length === 0 ? coll.docs.values() : selectDocuments(coll, filter);
  let sinceYield = 0;
  for (const doc of candidates) {
    // The engine shares the app's event loop: a scan of 100k passages must let other requests in.
    if (++sinceYield === SCAN_SLICE) {
      sinceYield = 0;
      await new Promise<void>((resume) => setImmediate(resume));
      checkInterrupted(ctx.operation);
    }
    let vector = cache.get(doc);
    if (vector === undefined) cache.set(doc, (vector = decode(doc, parts, dims)));
    if (vector && vector.values.length === dims) top.offer(score(similarity, query, vector), doc);
  }
  return top.sorted().map(({ item, score }) => ({ ...item, [SCORE_FIELD]: { score } }));
}

/** The `k` highest-scoring items: a sorted window with binary insertion, cheap while k is small. */
class TopK<T> {
  private readonly entries: { score: number; item: T }[] = [];

  constructor(private readonly k: number) {}

  offer(score: number, item: T): void {
    const entries = this.entries;
    if (entries.length === this.k && score <= entries[entries.length - 1].score) return;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (entries[mid].score >= score) lo = mid + 1;
      else hi = mid;
    }
    entries.splice(lo, 0, { score, item });
    if (entries.length > this.k) entries.pop();
  }

  sorted(): { score: number; item: T }[] {
    return this.entries;
  }
}

/** What `{ $meta: name }` reads after a search stage. */
const META_PATHS: Record<string, string> = {
  vectorSearchScore: `$${SCORE_FIELD}.score`,
  searchScore: `$${SCORE_FIELD}.score`,
  score: `$${SCORE_FIELD}.score`,
  scoreDetails: `$${SCORE_FIELD}.details`,
};

/** `{ $meta: "vectorSearchScore" | "searchScore" | "score" | "scoreDetails" }` anywhere in later stages, as a path to the hidden field. */
export function withScorePaths(stages: Document[]): Document[] {
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!isPlainObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === "$meta" && typeof value.$meta === "string" && META_PATHS[value.$meta]) return META_PATHS[value.$meta];
    return Object.fromEntries(keys.map((key) => [key, rewrite(value[key])]));
  };
  return stages.map((stage) => rewrite(stage) as Document);
}

export interface SearchStageInput {
  input: Document[];
  rest: Document[];
  /** A field the stage added that must not reach the client. */
  hiddenField?: string;
}

/** Pipelines that start with a search stage (`$vectorSearch`, `$search`, `$rankFusion`, `$listSearchIndexes`); undefined for others. */
export async function searchStageInput(ctx: CommandContext, collection: string, coll: Collection | undefined, stages: Document[]): Promise<SearchStageInput | undefined> {
  const first = stages[0];
  if (first && "$vectorSearch" in first) {
    return { input: await vectorSearch(coll, ctx, first.$vectorSearch), rest: withScorePaths(stages.slice(1)), hiddenField: SCORE_FIELD };
  }
  if (first && "$search" in first) {
    return { input: textSearch(coll, first.$search, SCORE_FIELD), rest: withScorePaths(stages.slice(1)), hiddenField: SCORE_FIELD };
  }
  if (first && "$rankFusion" in first) {
    const run = (sub: Document[]) => rankedOutput(ctx, collection, coll, sub);
    return { input: await rankFusion(first.$rankFusion, run, SCORE_FIELD), rest: withScorePaths(stages.slice(1)), hiddenField: SCORE_FIELD };
  }
  if (first && "$listSearchIndexes" in first) {
    const spec = isPlainObject(first.$listSearchIndexes) ? first.$listSearchIndexes : {};
    return { input: listSearchIndexes(ctx, collection, spec), rest: stages.slice(1) };
  }
  return undefined;
}

/** An input pipeline of `$rankFusion`, run over the collection: its documents in order, hidden scores included. */
async function rankedOutput(ctx: CommandContext, collection: string, coll: Collection | undefined, stages: Document[]): Promise<Document[]> {
  const env = { resolveCollection: resolver(ctx) };
  const search = await searchStageInput(ctx, collection, coll, stages);
  if (search) return runPipeline(search.input, search.rest, env);
  const first = stages[0];
  if ("$match" in first) return runPipeline(selectDocuments(coll, first.$match as Document), stages.slice(1), env);
  return runPipeline(selectDocuments(coll, {}), stages, env);
}

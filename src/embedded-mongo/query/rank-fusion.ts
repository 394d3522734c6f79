import type { Document } from "bson";
import { commandError } from "../errors";
import { valueKey } from "./value-key";
import { isPlainObject } from "./paths";

/**
 * `$rankFusion` (MongoDB 8.1+): reciprocal rank fusion of ranked input pipelines. A document's
 * score is the sum, over the pipelines that output it, of weight × 1 / (60 + rank), rank counted
 * from 1; documents are told apart by `_id`, and each keeps the fields of the first pipeline
 * (in declaration order) that output it.
 */

/** The rank constant of reciprocal rank fusion (Cormack et al.), fixed by MongoDB. */
export const RANK_CONSTANT = 60;

export interface RankFusionSpec {
  pipelines: { name: string; stages: Document[]; weight: number }[];
  scoreDetails: boolean;
}

export interface RankedInput {
  name: string;
  weight: number;
  /** The pipeline's output in order, with its own score where it has one. */
  docs: { doc: Document; score?: number }[];
}

export interface FusedDocument {
  doc: Document;
  score: number;
  details?: Document;
}

const DESCRIPTION =
  "value output by reciprocal rank fusion algorithm, computed as sum of (weight * (1 / (60 + rank))) across input pipelines from which this document is output, from:";

export function parseRankFusion(spec: unknown): RankFusionSpec {
  if (!isPlainObject(spec)) throw commandError("FailedToParse", "$rankFusion takes an object");
  const unknown = Object.keys(spec).filter((key) => !["input", "combination", "scoreDetails"].includes(key));
  if (unknown.length) throw commandError("FailedToParse", `$rankFusion does not take ${unknown.join(", ")}`);
  const input = spec.input;
  if (!isPlainObject(input) || !isPlainObject(input.pipelines)) throw commandError("FailedToParse", "$rankFusion.input.pipelines must be an object of pipelines");
  const names = Object.keys(input.pipelines);
  if (names.length === 0) throw commandError("FailedToParse", "$rankFusion needs at least one input pipeline");
  const weights = spec.combination === undefined ? {} : isPlainObject(spec.combination) ? (spec.combination.weights ?? {}) : null;
  if (!isPlainObject(weights)) throw commandError("FailedToParse", "$rankFusion.combination.weights must be an object");
  for (const [name, weight] of Object.entries(weights)) {
    if (!names.includes(name)) throw commandError("FailedToParse", `$rankFusion.combination.weights names an unknown pipeline '${name}'`);
    if (typeof weight !== "number" || !(weight >= 0)) throw commandError("FailedToParse", `$rankFusion weight of '${name}' must be a non-negative number`);
  }
  const pipelines = names.map((name) => {
    if (name.startsWith("$") || name.includes(".") || name === "") throw commandError("FailedToParse", `$rankFusion pipeline name '${name}' must not be empty, start with '$' or hold '.'`);
    const stages = (input.pipelines as Document)[name] as unknown;
    if (!Array.isArray(stages) || stages.length === 0 || !stages.every(isPlainObject)) {
      throw commandError("FailedToParse", `$rankFusion pipeline '${name}' must be a non-empty array of stages`);
    }
    const first = Object.keys(stages[0])[0];
    if (!["$search", "$vectorSearch", "$match", "$sort", "$geoNear"].includes(first)) {
      throw commandError("FailedToParse", `$rankFusion pipeline '${name}' must begin with a selection stage ($search, $vectorSearch, $match, $sort), not ${first}`);
    }
    return { name, stages: stages as Document[], weight: (weights[name] as number | undefined) ?? 1 };
  });
  return { pipelines, scoreDetails: spec.scoreDetails === true };
}

export function fuseRanks(inputs: RankedInput[], withDetails: boolean): FusedDocument[] {
  const fused = new Map<string, FusedDocument & { order: number; from: Document[] }>();
  let order = 0;
  for (const input of inputs) {
    const seen = new Set<string>();
    let rank = 0;
    for (const { doc, score } of input.docs) {
      const key = valueKey(doc._id);
      if (seen.has(key)) continue;
      seen.add(key);
      rank++;
      const value = input.weight * (1 / (RANK_CONSTANT + rank));
      let entry = fused.get(key);
      if (!entry) fused.set(key, (entry = { doc, score: 0, order: order++, from: [] }));
      entry.score += value;
      entry.from.push({ inputPipelineName: input.name, rank, weight: input.weight, ...(score !== undefined && { value: score }), details: [] });
    }
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .map(({ doc, score, from }) => ({ doc, score, ...(withDetails && { details: { value: score, description: DESCRIPTION, details: from } }) }));
}

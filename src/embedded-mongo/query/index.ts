/**
 * MongoDB query, update and aggregation semantics for the embedded engine: pure functions
 * over documents as the engine deserializes them (bson defaults, `promoteLongs: false`).
 * One BSON order (`compareValues`) underlies filters, sorts, `$group`, `$min`/`$max`,
 * `$addToSet`, `$in` and `$lookup`.
 *
 * Optional inputs beyond the base contract:
 * - `compileFilter(filter, { variables, collation })` and `compileSort(sort, collation)`:
 *   a collation changes string comparison (MongoDB spelling, "en_US" or "en-US").
 * - `applyUpdate(doc, update, { ..., filter })`: the query that selected `doc`, needed by the
 *   positional `$` operator (`{"items.$.qty": 1}`); without it such updates fail like mongod
 *   does when the query did not match an array element.
 * - `applyProjection(doc, projection, { filter, variables })`: `filter` for positional
 *   projections (`{"items.$": 1}`), `variables` for `let` in projection expressions.
 */
export type { Document as Doc } from "bson";
export { compareValues, doubleValue, valuesEqual } from "./bson-order";
export { compileFilter, type FilterOptions } from "./filter";
export { compileSort } from "./sort";
export { applyProjection, type ProjectionOptions } from "./projection";
export { applyUpdate, type UpdateOptions, type UpdateResult } from "./update";
export { upsertSeed } from "./upsert-seed";
export { runPipeline, type PipelineEnv } from "./pipeline";
export { getIndexKeyValue, ownValue, setOwn } from "./paths";
export { equalityKeyFor } from "./collation";
export { searchStage, type ScoredDocument } from "./search-stage";
export { analyzersOf } from "./search-analyzers";
export { fuseRanks, parseRankFusion, type RankedInput } from "./rank-fusion";

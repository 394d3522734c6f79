/**
 * MongoDB query, update and aggregation semantics for the embedded engine: pure functions
 * over documents as the engine deserializes them (bson defaults, `promoteLongs: false`).
 */
export type { Document as Doc } from "bson";
export { compareValues, valuesEqual } from "./bson-order";
export { compileFilter } from "./filter";
export { compileSort } from "./sort";
export { applyProjection } from "./projection";
export { applyUpdate } from "./update";
export { upsertSeed } from "./upsert-seed";
export { runPipeline } from "./pipeline";
export { getIndexKeyValue } from "./paths";

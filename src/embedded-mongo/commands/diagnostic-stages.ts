import { Long, type Document } from "bson";
import os from "node:os";
import { commandError } from "../errors";
import type { Collection } from "../storage/collection";
import type { CommandContext } from "./context";
import { checkCurrentOpStage, currentOperations } from "./current-op";
import { missingStorageStats, scaleOf, storageStats } from "./stats";

/** Stages that read the server's own state instead of documents; each must open its pipeline. */
const FIRST_ONLY = ["$collStats", "$indexStats", "$currentOp"];

const COLL_STATS_OPTIONS = new Set(["storageStats", "count", "latencyStats", "queryExecStats"]);

/** `$collStats`: one document of what was asked for (storageStats, count, latencyStats, queryExecStats). */
function collStatsDocument(spec: unknown, ctx: CommandContext, name: string, coll: Collection | undefined): Document {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw commandError("FailedToParse", "$collStats must take a nested object but found: " + JSON.stringify(spec));
  const options = spec as Document;
  for (const key of Object.keys(options)) {
    if (!COLL_STATS_OPTIONS.has(key)) throw commandError("Location40415", `BSON field '$collStats.${key}' is an unknown field.`);
  }
  if (coll?.isView && (options.storageStats !== undefined || options.count !== undefined)) {
    throw commandError("CommandNotSupportedOnView", `Namespace ${coll.ns} is a view, not a collection`);
  }
  const ns = `${ctx.db}.${name}`;
  const out: Document = { ns, host: os.hostname(), localTime: new Date() };
  if (options.latencyStats !== undefined) {
    // Latencies are not measured; zeros say so rather than leaving tools without the fields.
    const none = { latency: Long.ZERO, ops: Long.ZERO };
    out.latencyStats = { reads: none, writes: none, commands: none, transactions: none };
  }
  if (options.storageStats !== undefined) {
    const scale = scaleOf((options.storageStats as Document) ?? {});
    out.storageStats = coll ? storageStats(coll, scale) : missingStorageStats(ns, scale);
  }
  if (options.count !== undefined) out.count = coll?.docs.size ?? 0;
  if (options.queryExecStats !== undefined) {
    const scans = Long.fromNumber(coll?.collectionScans ?? 0);
    out.queryExecStats = { collectionScans: { total: scans, nonTailable: scans } };
  }
  return out;
}

/** `$indexStats`: one document per index, with how many reads the planner served from it. */
function indexStatsDocuments(spec: unknown, coll: Collection | undefined): Document[] {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec) || Object.keys(spec).length > 0) {
    throw commandError("FailedToParse", "The $indexStats stage specification must be an empty object");
  }
  if (!coll) return [];
  if (coll.isView) throw commandError("CommandNotSupportedOnView", `Namespace ${coll.ns} is a view, not a collection`);
  return coll.allIndexes().map((index) => ({
    name: index.name,
    key: index.spec.key,
    host: os.hostname(),
    accesses: { ops: Long.fromNumber(index.accesses.ops), since: index.accesses.since },
    spec: index.spec,
  }));
}

/**
 * The documents a leading `$collStats`, `$indexStats` or `$currentOp` gives, with the stages
 * after it; undefined when the pipeline opens with something else.
 */
export function diagnosticStageInput(ctx: CommandContext, name: string | undefined, stages: Document[]): { input: Document[]; rest: Document[] } | undefined {
  stages.forEach((stage, i) => {
    const operator = Object.keys(stage ?? {})[0];
    if (i > 0 && FIRST_ONLY.includes(operator)) throw commandError("Location40602", `${operator} is only valid as the first stage in a pipeline`);
  });
  const first = stages[0];
  const operator = first ? Object.keys(first)[0] : undefined;
  if (operator === "$currentOp") {
    checkCurrentOpStage(first.$currentOp, ctx, name === undefined);
    return { input: currentOperations(ctx), rest: stages.slice(1) };
  }
  if (operator !== "$collStats" && operator !== "$indexStats") return undefined;
  if (name === undefined) throw commandError("InvalidNamespace", `${operator} must be run against a collection`);
  const coll = ctx.engine.collection(ctx.db, name);
  const input = operator === "$collStats" ? [collStatsDocument(first.$collStats, ctx, name, coll)] : indexStatsDocuments(first.$indexStats, coll);
  return { input, rest: stages.slice(1) };
}

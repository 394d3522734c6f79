import { EJSON, type Document } from "bson";
import { Rank, rankOf } from "../query/bson-order";
import { HIGHEST, LOWEST, RankBound } from "../storage/index-order";
import type { Interval } from "./bounds";
import type { ExecStats } from "./execute";
import type { Plan } from "./plan";

/** What explain needs to know of a read besides its plan. */
export interface ReadShape {
  filter: Document;
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
  covered: boolean;
  blockingSort: boolean;
}

/** The plan as mongod's explain shows its stages (queryPlanner.winningPlan); `stats` adds executionStats counters. */
export function describePlan(plan: Plan, shape: ReadShape, stats?: ExecStats & { nReturned: number }): Document {
  const counters = (doc: Document, own: Document = {}) => (stats ? { ...doc, nReturned: stats.nReturned, ...own } : doc);
  let stage: Document;
  switch (plan.kind) {
    case "EOF":
      stage = counters({ stage: "EOF" });
      break;
    case "COLLSCAN":
      stage = counters({ stage: "COLLSCAN", ...(Object.keys(shape.filter).length ? { filter: shape.filter } : {}), direction: plan.backward ? "backward" : "forward" }, stats ? { docsExamined: stats.docsExamined } : {});
      break;
    case "IDHACK":
      stage = counters({ stage: "IDHACK" }, stats ? { keysExamined: stats.keysExamined, docsExamined: stats.docsExamined } : {});
      break;
    case "OR":
      stage = {};
      break;
    case "IXSCAN": {
      const { index } = plan;
      const scan = counters(
        {
          stage: "IXSCAN",
          keyPattern: index.spec.key,
          indexName: index.name,
          isMultiKey: index.isMultikey,
          isUnique: index.spec.unique === true || index.name === "_id_",
          isSparse: index.isSparse,
          isPartial: index.isPartial,
          indexVersion: 2,
          direction: plan.backward ? "backward" : "forward",
          indexBounds: Object.fromEntries(
            index.fields.map((field, i) => {
              let list = index.directions[i] === 1 ? plan.bounds[i] : [...plan.bounds[i]].reverse().map(flip);
              if (plan.backward) list = [...list].reverse().map(flip);
              return [field, list.map(formatInterval)];
            }),
          ),
        },
        stats ? { keysExamined: stats.keysExamined } : {},
      );
      stage = shape.covered
        ? counters({ stage: "PROJECTION_COVERED", transformBy: shape.projection ?? {}, inputStage: scan })
        : counters({ stage: "FETCH", ...(plan.exact ? {} : { filter: shape.filter }), inputStage: scan }, stats ? { docsExamined: stats.docsExamined } : {});
      break;
    }
  }
  if (plan.kind === "OR") {
    const branches = plan.branches.map((branch) => describePlan(branch, { filter: {}, covered: true, blockingSort: false }).inputStage as Document);
    const merged = plan.sort ? { stage: "SORT_MERGE", sortPattern: plan.sort, inputStages: branches } : { stage: "OR", inputStages: branches };
    stage = counters({ stage: "FETCH", filter: shape.filter, inputStage: merged }, stats ? { docsExamined: stats.docsExamined } : {});
  }
  if (shape.blockingSort && shape.sort) {
    const needed = shape.limit ? (shape.skip ?? 0) + shape.limit : 0;
    stage = counters({ stage: "SORT", sortPattern: shape.sort, memLimit: 104857600, ...(needed ? { limitAmount: needed } : {}), type: "simple", inputStage: stage });
  }
  if (shape.skip) stage = counters({ stage: "SKIP", skipAmount: shape.skip, inputStage: stage });
  if (shape.limit && !shape.blockingSort) stage = counters({ stage: "LIMIT", limitAmount: shape.limit, inputStage: stage });
  return stage;
}

function flip(interval: Interval): Interval {
  return { low: interval.high, lowInclusive: interval.highInclusive, high: interval.low, highInclusive: interval.lowInclusive };
}

/** mongod's spelling of index bounds: `[5, inf.0]`, `("a", {})`, `[MinKey, MaxKey]`. */
function formatInterval(interval: Interval): string {
  return `${interval.lowInclusive ? "[" : "("}${formatBound(interval.low)}, ${formatBound(interval.high)}${interval.highInclusive ? "]" : ")"}`;
}

const RANK_EDGES: Partial<Record<number, [string, string]>> = {
  [Rank.Null]: ["null", "null"],
  [Rank.Number]: ["-inf.0", "inf.0"],
  [Rank.String]: ['""', "{}"],
  [Rank.Object]: ["{}", "[]"],
  [Rank.ObjectId]: ["ObjectId('000000000000000000000000')", "ObjectId('ffffffffffffffffffffffff')"],
  [Rank.Boolean]: ["false", "true"],
  [Rank.Date]: ["new Date(-9223372036854775808)", "new Date(9223372036854775807)"],
  [Rank.Timestamp]: ["Timestamp(0, 0)", "Timestamp(4294967295, 4294967295)"],
};

function formatBound(value: unknown): string {
  if (value === LOWEST) return "MinKey";
  if (value === HIGHEST) return "MaxKey";
  if (value instanceof RankBound) return RANK_EDGES[value.rank]?.[value.side === -1 ? 0 : 1] ?? (value.side === -1 ? "MinKey" : "MaxKey");
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (rankOf(value) === Rank.Number) return String(typeof value === "object" ? (value as { toString(): string }).toString() : value);
  if (typeof value === "object" && value !== null && (value as Document)._bsontype === "ObjectId") return `ObjectId('${(value as { toHexString(): string }).toHexString()}')`;
  return EJSON.stringify(value as Document, { relaxed: true });
}

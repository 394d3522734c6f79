import type { Document } from "bson";
import { commandError } from "../errors";
import { describePlan, type ReadShape } from "../planner/describe";
import { boolOption, collectionName, optionalDocument, optionalNumber, requireArray } from "./args";
import type { CommandContext } from "./context";
import { pipelineInput } from "./pipeline-input";
import { coverOf, runSelection, type Selection, type SelectOptions } from "./select";
import { evaluateLet } from "./variables";
import { SERVER_VERSION } from "../version";
import { resolveView } from "./views";

export type Verbosity = "queryPlanner" | "executionStats" | "allPlansExecution";

/** What every explained command reads: one selection of one collection. */
interface ExplainedRead {
  ns: string;
  filter: Document;
  selection: Selection | undefined;
  shape: Omit<ReadShape, "covered" | "blockingSort">;
  /** Wraps the read's stages, as UPDATE/DELETE/COUNT do. */
  wrap?: (stage: Document, withStats: boolean) => Document;
  millis: number;
}

function explainDocument(read: ExplainedRead, verbosity: Verbosity, command: Document): Document {
  const { selection } = read;
  const shape: ReadShape = { ...read.shape, covered: selection?.covered ?? false, blockingSort: selection?.blockingSort ?? false };
  const plan = selection?.plan ?? { kind: "COLLSCAN" as const, backward: false };
  const wrap = read.wrap ?? ((stage: Document) => stage);
  const queryPlanner = {
    namespace: read.ns,
    indexFilterSet: false,
    parsedQuery: read.filter,
    maxIndexedOrSolutionsReached: false,
    maxIndexedAndSolutionsReached: false,
    maxScansToExplodeReached: false,
    winningPlan: wrap(describePlan(plan, shape), false),
    rejectedPlans: (selection?.rejected ?? []).map((rejected) => describePlan(rejected, { ...shape, covered: false, blockingSort: Boolean(shape.sort) })),
  };
  const out: Document = { explainVersion: "1", queryPlanner };
  if (verbosity !== "queryPlanner") {
    const stats = selection?.stats ?? { keysExamined: 0, docsExamined: 0 };
    const nReturned = selection?.docs.length ?? 0;
    out.executionStats = {
      executionSuccess: true,
      nReturned: read.wrap ? 0 : nReturned,
      executionTimeMillis: read.millis,
      totalKeysExamined: stats.keysExamined,
      totalDocsExamined: stats.docsExamined,
      executionStages: wrap(describePlan(plan, shape, { ...stats, nReturned }), true),
    };
    if (verbosity === "allPlansExecution") out.executionStats.allPlansExecution = [];
  }
  out.command = command;
  out.serverInfo = { host: "localhost", port: 27017, version: SERVER_VERSION, gitVersion: "embedded" };
  out.ok = 1;
  return out;
}

function timed<T>(run: () => T): { value: T; millis: number } {
  const start = process.hrtime.bigint();
  const value = run();
  return { value, millis: Math.round(Number(process.hrtime.bigint() - start) / 1e6) };
}

/** find reads its collection (or view); views are explained as a scan of the view's source. */
function read(ctx: CommandContext, name: string, filter: Document, options: SelectOptions): { selection: Selection | undefined; millis: number } {
  const view = resolveView(ctx, name);
  const coll = view ? view.source : ctx.engine.collection(ctx.db, name);
  // Explain shows the whole choice (every plan tried), as mongod does, whatever the plan cache holds.
  const { value, millis } = timed(() => runSelection(coll, view ? {} : filter, view ? { planAfresh: true } : { ...options, planAfresh: true }));
  return { selection: value, millis };
}

export function explainFind(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document): Document {
  const name = collectionName(inner, ctx);
  const filter = optionalDocument(inner, "filter") ?? {};
  const projection = optionalDocument(inner, "projection");
  const skip = optionalNumber(inner, "skip") ?? 0;
  const limit = Math.abs(optionalNumber(inner, "limit") ?? 0);
  const sort = optionalDocument(inner, "sort");
  const { selection, millis } = read(ctx, name, filter, {
    sort,
    skip,
    limit,
    hint: inner.hint,
    collation: optionalDocument(inner, "collation"),
    variables: evaluateLet(inner),
    cover: coverOf(projection),
  });
  return explainDocument({ ns: `${ctx.db}.${name}`, filter, selection, shape: { filter, sort, skip, limit, projection }, millis }, verbosity, command);
}

export function explainCount(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document): Document {
  const name = collectionName(inner, ctx);
  const filter = optionalDocument(inner, "query") ?? {};
  const skip = optionalNumber(inner, "skip") ?? 0;
  const limit = Math.abs(optionalNumber(inner, "limit") ?? 0);
  const coll = ctx.engine.collection(ctx.db, name);
  if (coll && !coll.isView && Object.keys(filter).length === 0 && inner.hint === undefined) {
    // The count command answers an empty query from the collection's size, reading nothing.
    const fast = { stage: "RECORD_STORE_FAST_COUNT" };
    const stats = verbosity === "queryPlanner" ? {} : { executionStats: { executionSuccess: true, nReturned: 0, executionTimeMillis: 0, totalKeysExamined: 0, totalDocsExamined: 0, executionStages: { ...fast, nCounted: coll.docs.size } } };
    return { explainVersion: "1", queryPlanner: { namespace: `${ctx.db}.${name}`, parsedQuery: {}, winningPlan: fast, rejectedPlans: [] }, ...stats, command, ok: 1 };
  }
  const { selection, millis } = read(ctx, name, filter, { skip, limit, hint: inner.hint, collation: optionalDocument(inner, "collation"), cover: [] });
  const wrap = (stage: Document, withStats: boolean) => ({ stage: "COUNT", ...(withStats ? { nReturned: 0, nCounted: selection?.docs.length ?? 0 } : {}), inputStage: stage });
  return explainDocument({ ns: `${ctx.db}.${name}`, filter, selection, shape: { filter, skip, limit }, wrap, millis }, verbosity, command);
}

export function explainDistinct(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document): Document {
  const name = collectionName(inner, ctx);
  const filter = optionalDocument(inner, "query") ?? {};
  const key = inner.key;
  if (typeof key !== "string") throw commandError("TypeMismatch", "Field 'key' must be of type string");
  const { selection, millis } = read(ctx, name, filter, { hint: inner.hint, collation: optionalDocument(inner, "collation") });
  const wrap = (stage: Document) => ({ stage: "PROJECTION_DEFAULT", transformBy: { _id: 0, [key]: 1 }, inputStage: stage });
  return explainDocument({ ns: `${ctx.db}.${name}`, filter, selection, shape: { filter }, wrap, millis }, verbosity, command);
}

/** The one statement an explained write batch may hold, as mongod requires. */
function onlyStatement(inner: Document, field: string): Document {
  const statements = requireArray(inner, field);
  if (statements.length !== 1) throw commandError("BadValue", "explained write batches must be of size 1");
  return statements[0];
}

export function explainUpdate(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document): Document {
  const name = collectionName(inner, ctx);
  const statement = onlyStatement(inner, "updates");
  const filter = optionalDocument(statement, "q") ?? {};
  const multi = boolOption(statement, "multi", false);
  // 8.0's sorted single-document update reads its match in that order: explain plans the same read.
  const sort = multi ? undefined : optionalDocument(statement, "sort");
  const { selection, millis } = read(ctx, name, filter, { sort, limit: multi ? 0 : 1, hint: statement.hint, collation: optionalDocument(statement, "collation"), variables: evaluateLet(inner) });
  const matched = selection?.docs.length ?? 0;
  const wrap = (stage: Document, withStats: boolean) => ({ stage: "UPDATE", ...(withStats ? { nReturned: 0, nMatched: matched, nWouldModify: matched, nWouldUpsert: matched === 0 && boolOption(statement, "upsert", false) ? 1 : 0 } : {}), inputStage: stage });
  return explainDocument({ ns: `${ctx.db}.${name}`, filter, selection, shape: { filter, sort, limit: multi ? 0 : 1 }, wrap, millis }, verbosity, command);
}

export function explainDelete(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document): Document {
  const name = collectionName(inner, ctx);
  const statement = onlyStatement(inner, "deletes");
  const filter = optionalDocument(statement, "q") ?? {};
  const limit = optionalNumber(statement, "limit") ?? 0;
  const { selection, millis } = read(ctx, name, filter, { limit, hint: statement.hint, collation: optionalDocument(statement, "collation"), variables: evaluateLet(inner) });
  const wrap = (stage: Document, withStats: boolean) => ({ stage: "DELETE", ...(withStats ? { nReturned: 0, nWouldDelete: selection?.docs.length ?? 0 } : {}), inputStage: stage });
  return explainDocument({ ns: `${ctx.db}.${name}`, filter, selection, shape: { filter, limit }, wrap, millis }, verbosity, command);
}

export function explainFindAndModify(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document): Document {
  const name = collectionName(inner, ctx);
  const filter = optionalDocument(inner, "query") ?? {};
  const sort = optionalDocument(inner, "sort");
  const { selection, millis } = read(ctx, name, filter, { sort, limit: 1, hint: inner.hint, collation: optionalDocument(inner, "collation"), variables: evaluateLet(inner) });
  const stageName = boolOption(inner, "remove", false) ? "DELETE" : "UPDATE";
  const wrap = (stage: Document) => ({ stage: stageName, inputStage: stage });
  return explainDocument({ ns: `${ctx.db}.${name}`, filter, selection, shape: { filter, sort, limit: 1 }, wrap, millis }, verbosity, command);
}

/**
 * aggregate: the stages pushed into the read (a leading `$match` and `$sort`) are explained as
 * a query; the rest are listed after a `$cursor` stage, as mongod does. Nothing is written.
 */
export async function explainAggregate(inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document = inner): Promise<Document> {
  const dbLevel = inner.aggregate === 1;
  const name = dbLevel ? undefined : collectionName(inner, ctx);
  const pipeline = requireArray(inner, "pipeline");
  const start = process.hrtime.bigint();
  const input = await pipelineInput(ctx, name, pipeline, { hint: inner.hint, variables: evaluateLet(inner), collation: optionalDocument(inner, "collation") });
  const millis = Math.round(Number(process.hrtime.bigint() - start) / 1e6);
  const pushed = pipeline.slice(0, pipeline.length - input.rest.length);
  const filter = (pushed.find((stage) => "$match" in stage)?.$match as Document | undefined) ?? {};
  const sort = pushed.find((stage) => "$sort" in stage)?.$sort as Document | undefined;
  const read: ExplainedRead = { ns: `${ctx.db}.${name ?? "$cmd.aggregate"}`, filter, selection: input.selection, shape: { filter, sort }, millis };
  const query = explainDocument(read, verbosity, command);
  if (input.rest.length === 0) return query;
  const { explainVersion, queryPlanner, executionStats, serverInfo, ok } = query;
  const cursor: Document = { queryPlanner };
  if (executionStats) cursor.executionStats = executionStats;
  return { explainVersion, stages: [{ $cursor: cursor }, ...input.rest], command, serverInfo, ok };
}

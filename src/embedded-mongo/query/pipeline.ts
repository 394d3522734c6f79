import { Aggregator } from "mingo/aggregator";
import { asCommandError } from "./expressions";
import { compileFilter } from "./filter";
import { isPipelineStage, mingoOptions } from "./mingo-context";
import { isNumeric, toNumber } from "./bson-order";
import { cloneDoc, isPlainObject, type Doc } from "./paths";
import { compileSort } from "./sort";
import { locationError } from "./query-errors";

export type PipelineEnv = { resolveCollection(name: string): Doc[]; variables?: Doc; collation?: Doc };

/**
 * Runs an aggregation pipeline (all stages but $out/$merge) over stored documents. Some mingo
 * stages write into nested objects of their input, so documents are copied before they enter
 * it; leading $match/$sort/$skip/$limit stages run first on the originals so that only the
 * documents that survive them are copied.
 */
export function runPipeline(input: Iterable<Doc>, pipeline: Doc[], env: PipelineEnv): Doc[] {
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw locationError(40323, "A pipeline stage specification object must contain exactly one field.");
    }
    const name = Object.keys(stage)[0];
    if (!isPipelineStage(name)) throw locationError(40324, `Unrecognized pipeline stage name: '${name}'`);
  }
  try {
    const { docs: selected, rest } = runLeadingStages(input, pipeline, env);
    const docs = selected.map(cloneDoc);
    if (rest.length === 0) return docs;
    const options = mingoOptions({ variables: env.variables, collation: env.collation, resolveCollection: (name) => env.resolveCollection(name) });
    const out = new Aggregator(rest, options).run(docs) as Doc[];
    for (const doc of out) pruneMissing(doc);
    return out;
  } catch (err) {
    throw asCommandError(err);
  }
}

function countOf(stage: string, value: unknown): number {
  const n = isNumeric(value) ? toNumber(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || (stage === "$limit" && n === 0)) {
    throw locationError(stage === "$limit" ? 15958 : 15956, `invalid argument to ${stage} stage: ${stage === "$limit" ? "the limit must be positive" : "Cannot skip a negative number of documents"}`);
  }
  return n;
}

function runLeadingStages(input: Iterable<Doc>, pipeline: Doc[], env: PipelineEnv): { docs: Doc[]; rest: Doc[] } {
  let docs: Doc[] | undefined;
  let i = 0;
  for (; i < pipeline.length; i++) {
    const [name, spec] = Object.entries(pipeline[i])[0];
    if (name === "$match") {
      if (!isPlainObject(spec)) throw locationError(15959, "the match filter must be an expression in an object");
      const test = compileFilter(spec, { variables: env.variables, collation: env.collation });
      const out: Doc[] = [];
      for (const doc of docs ?? input) if (test(doc)) out.push(doc);
      docs = out;
    } else if (name === "$sort") {
      if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw locationError(15976, "$sort stage must have at least one sort key");
      docs = (docs ?? Array.from(input)).sort(compileSort(spec, env.collation));
    } else if (name === "$skip") {
      docs = (docs ?? Array.from(input)).slice(countOf(name, spec));
    } else if (name === "$limit") {
      docs = (docs ?? Array.from(input)).slice(0, countOf(name, spec));
    } else break;
  }
  return { docs: docs ?? Array.from(input), rest: pipeline.slice(i) };
}

/**
 * Expressions that evaluate to "missing" leave `undefined` in mingo's output, which BSON would
 * store as null; mongod omits such fields (and turns missing array elements into null).
 */
function pruneMissing(value: unknown): void {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) value[i] = null;
      else pruneMissing(value[i]);
    }
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === undefined) delete value[key];
      else pruneMissing(value[key]);
    }
  }
}

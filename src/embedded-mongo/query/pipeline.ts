import { Aggregator } from "mingo/aggregator";
import { asCommandError } from "./expressions";
import { compileFilter } from "./filter";
import { isPipelineStage, mingoOptions } from "./mingo-context";
import { cloneDoc, isPlainObject, type Doc } from "./paths";
import { locationError } from "./query-errors";

export type PipelineEnv = { resolveCollection(name: string): Doc[]; variables?: Doc; collation?: Doc };

/**
 * Runs an aggregation pipeline (all stages but $out/$merge) over stored documents. Some mingo
 * stages write into nested objects of their input, so documents are copied before they enter
 * it; a leading $match runs first on the originals so only matches are copied.
 */
export function runPipeline(input: Iterable<Doc>, pipeline: Doc[], env: PipelineEnv): Doc[] {
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) {
      throw locationError(40323, "A pipeline stage specification object must contain exactly one field.");
    }
    const name = Object.keys(stage)[0];
    if (!isPipelineStage(name)) throw locationError(40324, `Unrecognized pipeline stage name: '${name}'`);
  }
  let stages = pipeline;
  let docs: Doc[] = [];
  try {
    if (stages.length > 0 && "$match" in stages[0]) {
      const test = compileFilter(stages[0].$match as Doc, { variables: env.variables, collation: env.collation });
      for (const doc of input) if (test(doc)) docs.push(cloneDoc(doc));
      stages = stages.slice(1);
    } else {
      for (const doc of input) docs.push(cloneDoc(doc));
    }
    if (stages.length === 0) return docs;
    const options = mingoOptions({ variables: env.variables, collation: env.collation, resolveCollection: (name) => env.resolveCollection(name) });
    docs = new Aggregator(stages, options).run(docs) as Doc[];
    return docs;
  } catch (err) {
    throw asCommandError(err);
  }
}

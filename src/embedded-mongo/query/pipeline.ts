import { Aggregator } from "mingo/aggregator";
import { commandError, MongoCommandError } from "../errors";
import { mingoOptions } from "./mingo-context";
import type { Doc } from "./paths";

export type PipelineEnv = { resolveCollection(name: string): Doc[]; variables?: Doc; collation?: Doc };

export function runPipeline(input: Iterable<Doc>, pipeline: Doc[], env: PipelineEnv): Doc[] {
  const options = mingoOptions({
    variables: env.variables,
    collation: env.collation,
    resolveCollection: (name) => env.resolveCollection(name),
  });
  try {
    return new Aggregator(pipeline, options).run(Array.from(input)) as Doc[];
  } catch (err) {
    if (err instanceof MongoCommandError) throw err;
    throw commandError("BadValue", err instanceof Error ? err.message : String(err));
  }
}

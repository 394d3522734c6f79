import { Context } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import type { Options } from "mingo/types";
import type { Doc } from "./paths";

/**
 * The operator set every mingo call in the engine uses. Registration is first-wins, so
 * operators of our own (BSON-aware) go in before mingo's defaults.
 */
export const CONTEXT: Context = Context.init({
  accumulator: accumulatorOperators as never,
  expression: expressionOperators as never,
  pipeline: pipelineOperators as never,
  projection: projectionOperators as never,
  query: queryOperators as never,
  window: windowOperators as never,
});

export function mingoOptions(extra: { variables?: Doc; collation?: Doc; resolveCollection?: (name: string) => Doc[] } = {}): Partial<Options> {
  return {
    context: CONTEXT,
    variables: extra.variables,
    collation: extra.collation as Options["collation"],
    collectionResolver: extra.resolveCollection,
    useStrictMode: true,
  };
}

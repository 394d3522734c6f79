import { Context, evalExpr, OpType } from "mingo/core";
import * as accumulatorOperators from "mingo/operators/accumulator";
import * as expressionOperators from "mingo/operators/expression";
import * as pipelineOperators from "mingo/operators/pipeline";
import * as projectionOperators from "mingo/operators/projection";
import * as queryOperators from "mingo/operators/query";
import * as windowOperators from "mingo/operators/window";
import type { Options } from "mingo/types";
import { ACCUMULATOR_OPERATORS, EXPRESSION_ACCUMULATORS } from "./accumulators";
import { EXPRESSION_OPERATORS } from "./expression-operators";
import { PIPELINE_OPERATORS } from "./pipeline-stages";
import { SET_OPERATORS } from "./set-operators";
import { mingoCollation } from "./collation";
import { CONVERSION_OPERATORS } from "./conversions";
import { cloneDoc, type Doc } from "./paths";
import { withPlainNumbers } from "./plain-numbers";

let context: Context | undefined;

type Resolver = (name: string) => Doc[];

/**
 * mingo's stages that read other collections ($unionWith, $graphLookup) may write into what
 * they read, so they get copies; our $lookup copies only what it joins and reads the
 * originals through `stored`.
 */
function copyingResolver(resolve: Resolver): Resolver & { stored: Resolver } {
  return Object.assign((name: string) => resolve(name).map(cloneDoc), { stored: resolve });
}

export function storedCollection(resolver: unknown, name: string): Doc[] {
  const stored = (resolver as { stored?: Resolver } | undefined)?.stored;
  return stored ? stored(name) : typeof resolver === "function" ? (resolver as Resolver)(name) : [];
}

/**
 * The operator set every mingo call in the engine uses: ours (BSON order, BSON numerics,
 * our filter matcher) first, since registration is first-wins, then mingo's defaults.
 * Built on first use because the operators and this module import each other.
 */
function engineContext(): Context {
  context ??= Context.init({
    pipeline: PIPELINE_OPERATORS as never,
    accumulator: ACCUMULATOR_OPERATORS as never,
    expression: { ...EXPRESSION_OPERATORS, ...CONVERSION_OPERATORS, ...EXPRESSION_ACCUMULATORS, ...SET_OPERATORS } as never,
  })
    .addAccumulatorOps(withPlainNumbers(accumulatorOperators) as never)
    .addExpressionOps(withPlainNumbers(expressionOperators) as never)
    .addPipelineOps(pipelineOperators as never)
    .addProjectionOps(projectionOperators as never)
    .addQueryOps(queryOperators as never)
    .addWindowOps(windowOperators as never);
  return context;
}

export function mingoOptions(extra: { variables?: Doc; collation?: Doc; resolveCollection?: (name: string) => Doc[] } = {}): Partial<Options> {
  return {
    context: engineContext(),
    variables: extra.variables,
    collation: mingoCollation(extra.collation) as Options["collation"],
    collectionResolver: extra.resolveCollection && copyingResolver(extra.resolveCollection),
    useStrictMode: true,
  };
}

/** Stages this module runs ($out and $merge are the engine's, as the last stage only). */
export function isPipelineStage(name: string): boolean {
  return name !== "$out" && name !== "$merge" && engineContext().getOperator(OpType.PIPELINE, name) !== null;
}

/** mingo's per-evaluation state object; its class is not exported, only its instances are seen. */
export type ComputeOptions = Options & {
  local: { variables?: Doc; groupId?: unknown; root?: unknown };
  update(locals: { root?: unknown; groupId?: unknown; variables?: Doc }): ComputeOptions;
};
type ComputeOptionsClass = { init(options: Partial<Options>): ComputeOptions };

let computeOptionsClass: ComputeOptionsClass | undefined;

/**
 * Reusable evaluation options. Handing mingo plain options makes it copy the whole operator
 * context on every evaluation (tens of microseconds per document); an initialised instance
 * is reused. The class is reached through an instance an operator receives.
 */
export function computeOptions(extra: Parameters<typeof mingoOptions>[0] = {}): ComputeOptions {
  if (!computeOptionsClass) {
    const probe = Context.init({ expression: { $options: ((_obj: unknown, _expr: unknown, options: unknown) => options) as never } });
    const instance = evalExpr({}, { $options: 1 }, { context: probe } as Options) as ComputeOptions;
    computeOptionsClass = instance.constructor as unknown as ComputeOptionsClass;
  }
  return computeOptionsClass.init(mingoOptions(extra));
}

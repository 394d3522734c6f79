/** What our mingo operators need from the evaluation state mingo hands them. */
import { evalExpr } from "mingo/core";
import type { Options } from "mingo/types";
import type { StringCompare } from "./bson-order";
import { stringCompareFor } from "./collation";
import type { ComputeOptions } from "./mingo-context";
import { compileSimpleExpression } from "./field-path";
import type { Doc } from "./paths";

/**
 * A private copy of the stage's options: evaluating against a document sets its `root`, which
 * must not leak into other stages sharing the pipeline's options.
 */
export function scoped(options: ComputeOptions): ComputeOptions {
  return (options.constructor as unknown as { init(o: ComputeOptions): ComputeOptions }).init(options);
}

/** Evaluators of expressions over documents; plain field paths and literals skip mingo. */
export function evaluator(options: ComputeOptions): (expr: unknown) => (doc: Doc) => unknown {
  const own = scoped(options);
  return (expr) => compileSimpleExpression(expr) ?? ((doc) => evalExpr(doc, expr, own.update({ root: doc })));
}

export function variablesOf(options: ComputeOptions): Doc {
  return { ...options.variables, ...options.local?.variables };
}

export function strCmpOf(options: Options): StringCompare {
  return stringCompareFor(options.collation as Doc | undefined);
}


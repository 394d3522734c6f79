import { evalExpr } from "mingo/core";
import { commandError, MongoCommandError } from "../errors";
import { isNumeric, toNumber } from "./bson-order";
import { computeOptions } from "./mingo-context";
import type { Doc } from "./paths";
import { locationError } from "./query-errors";

/** An evaluator of one aggregation expression over documents (`$expr` in filters, find projections). */
export function compileExpression(expr: unknown, variables?: Doc): (doc: Doc) => unknown {
  const options = computeOptions({ variables });
  return (doc) => {
    try {
      return evalExpr(doc, expr, options.update({ root: doc }));
    } catch (err) {
      throw asCommandError(err);
    }
  };
}

/** MongoDB truthiness: false, null, missing and numeric zero are false; everything else is true. */
export function isTruthy(v: unknown): boolean {
  if (v === false || v === null || v === undefined) return false;
  if (isNumeric(v)) return toNumber(v) !== 0;
  return true;
}

/** Errors thrown by mingo while executing become BadValue command errors, or mongod's own code where it has one. */
export function asCommandError(err: unknown): MongoCommandError {
  if (err instanceof MongoCommandError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith("Use of undefined variable")) return locationError(17276, message);
  return commandError("BadValue", message);
}

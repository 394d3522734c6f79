import type { Document } from "bson";
import { commandError } from "../errors";
import { runPipeline } from "../query";

/**
 * `let` values are aggregation expressions evaluated once per command (`{ $literal: "$x" }` is
 * the string "$x"), so they are resolved here before filters and pipelines see them.
 */
export function evaluateVariables(raw: unknown): Document {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw commandError("TypeMismatch", "'let' must be a document");
  const names = Object.keys(raw);
  if (names.length === 0) return {};
  const [values] = runPipeline([{}], [{ $set: raw as Document }], { resolveCollection: () => [] });
  return values ?? {};
}

export function evaluateLet(command: Document): Document | undefined {
  return command.let === undefined ? undefined : evaluateVariables(command.let);
}

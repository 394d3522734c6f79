import { Aggregator } from "mingo/aggregator";
import { update as mingoUpdate } from "mingo/updater";
import { commandError, MongoCommandError } from "../errors";
import { valuesEqual } from "./bson-order";
import { mingoOptions } from "./mingo-context";
import { cloneDoc, type Doc } from "./paths";

export type UpdateOptions = { arrayFilters?: Doc[]; isUpsertInsert?: boolean; variables?: Doc };
export type UpdateResult = { doc: Doc; modified: boolean };

const UPDATE_OPERATORS = new Set([
  "$set", "$unset", "$inc", "$mul", "$min", "$max", "$rename", "$push", "$addToSet", "$pull",
  "$pullAll", "$pop", "$currentDate", "$setOnInsert", "$bit",
]);
const PIPELINE_STAGES = new Set(["$set", "$addFields", "$unset", "$project", "$replaceRoot", "$replaceWith"]);

export function isOperatorUpdate(update: Doc): boolean {
  const first = Object.keys(update)[0];
  return first !== undefined && first.startsWith("$");
}

/** Applies an update (operators, replacement or pipeline) to a copy of `doc`. */
export function applyUpdate(doc: Doc, update: Doc | Doc[], opts: UpdateOptions = {}): UpdateResult {
  let result: Doc;
  if (Array.isArray(update)) result = applyPipelineUpdate(doc, update, opts);
  else if (isOperatorUpdate(update)) result = applyOperators(doc, update, opts);
  else result = applyReplacement(doc, update);
  if ("_id" in doc && !valuesEqual(doc._id, result._id)) {
    throw commandError(
      "ImmutableField",
      "Performing an update on the path '_id' would modify the immutable field '_id'",
    );
  }
  return { doc: result, modified: !valuesEqual(doc, result) };
}

function applyReplacement(doc: Doc, replacement: Doc): Doc {
  for (const key of Object.keys(replacement)) {
    if (key.startsWith("$")) throw commandError("FailedToParse", `The dollar ($) prefixed field '${key}' in '${key}' is not allowed in the context of an update's replacement document.`);
  }
  const out: Doc = {};
  if ("_id" in replacement) out._id = replacement._id;
  else if ("_id" in doc) out._id = doc._id;
  for (const [k, v] of Object.entries(replacement)) if (k !== "_id") out[k] = cloneDoc(v);
  return out;
}

function applyOperators(doc: Doc, update: Doc, opts: UpdateOptions): Doc {
  const keys = Object.keys(update);
  if (keys.length === 0) throw commandError("FailedToParse", "'update' is empty. You must specify a field like so: {$set: {<field>: ...}}");
  for (const op of keys) {
    if (!UPDATE_OPERATORS.has(op)) throw commandError("FailedToParse", `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  const modifier: Doc = { ...update };
  const onInsert = modifier.$setOnInsert as Doc | undefined;
  delete modifier.$setOnInsert;
  if (onInsert && opts.isUpsertInsert) {
    modifier.$set = { ...(modifier.$set as Doc | undefined), ...onInsert };
  }
  const copy = cloneDoc(doc);
  if (Object.keys(modifier).length === 0) return copy;
  try {
    mingoUpdate(copy, modifier, opts.arrayFilters, undefined, { cloneMode: "deep", queryOptions: mingoOptions({ variables: opts.variables }) });
  } catch (err) {
    if (err instanceof MongoCommandError) throw err;
    throw commandError("BadValue", err instanceof Error ? err.message : String(err));
  }
  return copy;
}

function applyPipelineUpdate(doc: Doc, stages: Doc[], opts: UpdateOptions): Doc {
  for (const stage of stages) {
    const name = Object.keys(stage)[0];
    if (!PIPELINE_STAGES.has(name)) {
      throw commandError("InvalidOptions", `${name} is not allowed to be used within an update`);
    }
  }
  const out = new Aggregator(stages, mingoOptions({ variables: opts.variables })).run([cloneDoc(doc)]);
  return out[0] as Doc;
}

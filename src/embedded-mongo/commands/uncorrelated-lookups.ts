import type { Document } from "bson";
import { applyProjection, runPipeline } from "../query";
import { isPlainObject } from "../query/paths";
import { sortKeys } from "../planner/plan";
import type { CommandContext } from "./context";
import { resumeCheck } from "./interrupt";
import { pathValues } from "../query/path-values";
import { isKey, lookupShortcut } from "./lookup-shortcut";
import { isSimpleCollation, runSelectionPausing, type SelectOptions } from "./select";
import { resolver } from "./views";

/**
 * A pipeline that, after its input (a collection's documents, or a db-level `$documents` of
 * literal documents), holds only uncorrelated `$lookup`s (`{ from, pipeline, as }`: no `let`, no
 * `localField`): several reads answered by one command. Such a join is the same for every input
 * document, so each sub-pipeline runs once, its leading `$match`/`$sort`/`$limit` read through the
 * planner (an index, not a scan of `from` per input document as the general `$lookup` does), a
 * `$project` of plain inclusions or exclusions applied like find's projection, and its other
 * stages run over what was read. Undefined (the general path runs) for anything else.
 *
 * With a single input document, a join may also name `localField` and `foreignField` (with or
 * without a pipeline): its read is then the pipeline's with `foreignField` among the local values,
 * which may be what an earlier join of the same command returned (`"enrollments.course_id"`), so
 * that a read depending on another still takes one command. Only for ObjectIds (and strings under
 * the simple collation) and missing values, where `$in` finds exactly what the join's equality would.
 */
export async function uncorrelatedLookups(
  ctx: CommandContext,
  input: Document[],
  stages: Document[],
  { dbLevel, collation, variables }: { dbLevel: boolean; collation?: Document; variables?: Document },
): Promise<Document[] | undefined> {
  let docs = input;
  let at = 0;
  if (dbLevel) {
    const literal = stages[0]?.$documents;
    if (Object.keys(stages[0] ?? {}).length !== 1 || !Array.isArray(literal) || !literal.every(isLiteralDocument)) return undefined;
    docs = literal as Document[];
    at = 1;
  }
  const joins = stages.slice(at).map(uncorrelatedJoin);
  if (joins.length === 0 || !joins.every((join): join is Join => join !== undefined)) return undefined;
  if (joins.some((join) => ctx.engine.collection(ctx.db, join.from)?.isView)) return undefined;
  if (joins.some((join) => join.on) && (docs.length !== 1 || !isSimpleCollation(collation))) return undefined;
  // With one input document the joins run on it in order, so a correlated one sees what the earlier ones joined.
  const first = docs.length === 1 ? { ...docs[0] } : undefined;
  const joined: [string, Document[]][] = [];
  for (const join of joins) {
    let filter = join.filter;
    if (join.on) {
      const values = localValues(first!, join.on.localField);
      if (!values) return undefined;
      const among = { [join.on.foreignField]: { $in: values } };
      filter = Object.keys(filter).length === 0 ? among : { $and: [among, filter] };
    }
    const found = await readJoin(ctx, { ...join, filter }, collation, variables);
    joined.push([join.as, found]);
    if (first) first[join.as] = found;
  }
  if (first) return [first];
  // Every input document gets the same joined documents: a reply is only serialised, never changed.
  return docs.map((doc) => {
    const out = { ...doc };
    for (const [as, found] of joined) out[as] = found;
    return out;
  });
}

/**
 * The values a join's `localField` holds (arrays by their elements; missing, as through an empty
 * earlier join, as null, which `$in` and the join's equality both match to a missing or null
 * `foreignField`), if `$in` finds what its equality would.
 */
function localValues(doc: Document, localField: string): unknown[] | undefined {
  const values: unknown[] = [];
  for (const value of pathValues(doc, localField.split("."))) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one === undefined || one === null) values.push(null);
      else if (isKey(one, true)) values.push(one);
      else return undefined;
    }
  }
  return values;
}

interface Join {
  from: string;
  as: string;
  on?: { localField: string; foreignField: string };
  filter: Document;
  sort?: Document;
  limit: number;
  projection?: Document;
  rest: Document[];
}

function uncorrelatedJoin(stage: Document): Join | undefined {
  const spec = Object.keys(stage).length === 1 ? (stage.$lookup as Document | undefined) : undefined;
  if (typeof spec !== "object" || spec === null) return undefined;
  const keys = Object.keys(spec).sort().join(",");
  if (keys !== "as,from,pipeline" && keys !== "as,foreignField,from,localField,pipeline" && keys !== "as,foreignField,from,localField") return undefined;
  const { from, as, pipeline = [], localField, foreignField } = spec;
  if (typeof from !== "string" || typeof as !== "string" || as.length === 0 || as.includes(".") || as.startsWith("$") || !Array.isArray(pipeline)) return undefined;
  if (localField !== undefined && !(plainPath(localField) && plainPath(foreignField))) return undefined;
  const on = localField === undefined ? undefined : { localField: localField as string, foreignField: foreignField as string };
  const sub = pipeline as Document[];
  if (!sub.every((s) => typeof s === "object" && s !== null && Object.keys(s).length === 1)) return undefined;
  let i = 0;
  const filter = sub[i] && "$match" in sub[i] && isPlainObject(sub[i].$match) ? (sub[i++].$match as Document) : {};
  const sort = sub[i] && "$sort" in sub[i] && isPlainObject(sub[i].$sort) && sortKeys(sub[i].$sort as Document)?.length ? (sub[i++].$sort as Document) : undefined;
  const limit = sub[i] && Number.isInteger(sub[i].$limit) && (sub[i].$limit as number) > 0 ? (sub[i++].$limit as number) : 0;
  const projection = sub[i] && "$project" in sub[i] && isPlainProjection(sub[i].$project) ? (sub[i++].$project as Document) : undefined;
  return { from, as, on, filter, sort, limit, projection, rest: sub.slice(i) };
}

function plainPath(name: unknown): name is string {
  return typeof name === "string" && name.length > 0 && !name.startsWith("$") && !name.split(".").some((part) => part.length === 0);
}

async function readJoin(ctx: CommandContext, join: Join, collation: Document | undefined, variables: Document | undefined): Promise<Document[]> {
  const coll = ctx.engine.collection(ctx.db, join.from);
  const options: SelectOptions = { sort: join.sort, limit: join.limit, collation, variables };
  const { docs } = await runSelectionPausing(coll, join.filter, options, resumeCheck(ctx, coll));
  const projected = join.projection ? docs.map((doc) => applyProjection(doc, join.projection)) : docs;
  if (join.rest.length === 0) return projected;
  return (
    lookupShortcut(projected, join.rest, collation, (name) => ctx.engine.collection(ctx.db, name)) ??
    runPipeline(projected, join.rest, { resolveCollection: resolver(ctx), variables, collation })
  );
}

/** `{ a: 1, "b.c": 1 }` or `{ a: 0 }`: what find's projection means alike (no expressions, no operators). */
function isPlainProjection(value: unknown): boolean {
  if (!isPlainObject(value) || Object.keys(value).length === 0) return false;
  return Object.entries(value).every(([key, v]) => !key.startsWith("$") && (v === 0 || v === 1 || v === true || v === false));
}

/** A document `$documents` would pass on as it is: no expression (`$`-prefixed key or string) anywhere in it. */
function isLiteralDocument(value: unknown): boolean {
  return isPlainObject(value) && Object.entries(value).every(([key, v]) => !key.startsWith("$") && isLiteralValue(v));
}

/** BSON values (ObjectIds, Dates, numbers' wrappers) are literal; strings and documents unless they hold an expression. */
function isLiteralValue(value: unknown): boolean {
  if (typeof value === "string") return !value.startsWith("$");
  if (Array.isArray(value)) return value.every(isLiteralValue);
  return isPlainObject(value) ? isLiteralDocument(value) : true;
}

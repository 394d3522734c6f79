import type { Document } from "bson";
import { sortKeys } from "../planner/plan";
import type { CommandContext } from "./context";
import { countShortcut } from "./count-shortcut";
import { runSelectionPausing, type Selection, type SelectOptions } from "./select";
import { resumeCheck } from "./interrupt";
import { diagnosticStageInput } from "./diagnostic-stages";
import { resolveView } from "./views";
import { searchStageInput } from "./vector-search";

export interface PipelineInput {
  input: Document[];
  rest: Document[];
  /** Input is the collection's documents (after a leading $match), not a view or a db-level source. */
  fromCollection: boolean;
  /** A field the first stage added for later stages that the reply must not show. */
  hiddenField?: string;
  /** The read of the collection the leading stages were pushed into (absent for views and db-level sources). */
  selection?: Selection;
}

/**
 * Where the pipeline's documents come from. A leading `$match` and `$sort` go through the
 * shared read path (so an index can serve them), with the number of documents the following
 * `$skip`/`$limit` stages can use, so an index walk stops early; those stages still run.
 */
export async function pipelineInput(ctx: CommandContext, name: string | undefined, stages: Document[], options: SelectOptions): Promise<PipelineInput> {
  const diagnostic = diagnosticStageInput(ctx, name, stages);
  if (diagnostic) return { ...diagnostic, fromCollection: false };
  if (!name) {
    if (stages[0] && "$listLocalSessions" in stages[0]) return { input: ctx.sessions.list(), rest: stages.slice(1), fromCollection: false };
    return { input: [], rest: stages, fromCollection: false };
  }
  const view = resolveView(ctx, name);
  if (view) return { input: [...(view.source?.docs.values() ?? [])], rest: [...view.pipeline, ...stages], fromCollection: false };
  const coll = ctx.engine.collection(ctx.db, name);
  const search = await searchStageInput(ctx, name, coll, stages);
  if (search) return { ...search, fromCollection: false };
  let at = 0;
  const filter = stages[0] && "$match" in stages[0] && Object.keys(stages[0]).length === 1 ? (stages[at++].$match as Document) : {};
  const next = stages[at];
  const sort = next && "$sort" in next && isPlainSort(next.$sort) ? (stages[at++].$sort as Document) : undefined;
  // countDocuments' `$group` only counts the matches: an exact index plan need not read them.
  const cover = countShortcut(stages.slice(at), 0) !== undefined ? [] : undefined;
  const selectOptions: SelectOptions = at > 0 ? { ...options, sort, limit: sort ? documentsNeeded(stages.slice(at)) : 0, cover } : { hint: options.hint, cover };
  const selection = await runSelectionPausing(coll, filter, selectOptions, resumeCheck(ctx, coll));
  return { input: selection.docs, rest: stages.slice(at), fromCollection: true, selection };
}

function isPlainSort(sort: unknown): boolean {
  const keys = sortKeys(sort as Document);
  return typeof sort === "object" && sort !== null && keys !== undefined && keys.length > 0;
}

/** How many sorted documents the following `$skip`/`$limit` stages can read (0: all). */
function documentsNeeded(stages: Document[]): number {
  let skipped = 0;
  for (const stage of stages) {
    if (typeof stage.$skip === "number" && Object.keys(stage).length === 1) skipped += stage.$skip;
    else if (typeof stage.$limit === "number" && Object.keys(stage).length === 1) return stage.$limit > 0 ? skipped + stage.$limit : 0;
    else return 0;
  }
  return 0;
}

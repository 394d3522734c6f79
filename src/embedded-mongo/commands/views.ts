import type { Document } from "bson";
import { commandError } from "../errors";
import { runPipeline } from "../query";
import type { Collection } from "../storage/collection";
import type { CommandContext } from "./context";
import { runSelectionPausing, type SelectOptions } from "./select";
import { resumeCheck } from "./interrupt";

const MAX_VIEW_DEPTH = 20;

/** A view resolved down to its backing collection and the concatenated pipelines on the way. */
export interface ResolvedView {
  source: Collection | undefined;
  pipeline: Document[];
}

export function resolveView(ctx: CommandContext, name: string): ResolvedView | undefined {
  let coll = ctx.engine.collection(ctx.db, name);
  if (!coll?.isView) return undefined;
  let pipeline: Document[] = [];
  for (let depth = 0; coll?.isView; depth++) {
    if (depth >= MAX_VIEW_DEPTH) throw commandError("ViewDepthLimitExceeded", `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
    pipeline = [...((coll.options.pipeline as Document[] | undefined) ?? []), ...pipeline];
    coll = ctx.engine.collection(ctx.db, coll.options.viewOn as string);
  }
  return { source: coll, pipeline };
}

export function resolver(ctx: CommandContext): (name: string) => Document[] {
  return (name) => readAll(ctx, name);
}

/** Every document of a collection or view, for $lookup and friends. */
function readAll(ctx: CommandContext, name: string): Document[] {
  const view = resolveView(ctx, name);
  if (!view) return [...(ctx.engine.collection(ctx.db, name)?.docs.values() ?? [])];
  return runPipeline(view.source?.docs.values() ?? [], view.pipeline, { resolveCollection: resolver(ctx) });
}

/**
 * A read command's documents from a namespace that may be a view (the view's pipeline runs
 * first). A long read of a collection pauses now and then, so other requests and killOp get in.
 */
export async function selectFromNamespace(ctx: CommandContext, name: string, filter: Document, options: SelectOptions = {}): Promise<Document[]> {
  const view = resolveView(ctx, name);
  if (!view) {
    const coll = ctx.engine.collection(ctx.db, name);
    return (await runSelectionPausing(coll, filter, options, resumeCheck(ctx, coll))).docs;
  }
  const stages: Document[] = [...view.pipeline, { $match: filter }];
  if (options.sort && Object.keys(options.sort).length > 0) stages.push({ $sort: options.sort });
  if (options.skip) stages.push({ $skip: options.skip });
  if (options.limit) stages.push({ $limit: options.limit });
  return runPipeline(view.source?.docs.values() ?? [], stages, {
    resolveCollection: resolver(ctx),
    variables: options.variables,
    collation: options.collation,
  });
}

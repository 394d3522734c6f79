import { Long, type Document } from "bson";
import { commandError } from "../errors";
import { runPipeline } from "../query";
import { boolOption, collectionName, optionalDocument, optionalNumber, requireArray } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { selectDocuments, type SelectOptions } from "./select";
import { countShortcut } from "./count-shortcut";
import { evaluateLet } from "./variables";
import { resolveView, resolver } from "./views";
import { writeStageResults } from "./aggregate-output";
import { searchStageInput } from "./vector-search";

function aggregate(command: Document, ctx: CommandContext): Document {
  const dbLevel = command.aggregate === 1;
  const name = dbLevel ? undefined : collectionName(command, ctx);
  const pipeline = requireArray(command, "pipeline");
  const cursorOptions = optionalDocument(command, "cursor");
  if (!cursorOptions && !command.explain) throw commandError("FailedToParse", "The 'cursor' option is required, except for aggregate with the explain argument");
  pipeline.forEach((stage, i) => {
    const [operator] = Object.keys(stage);
    if ((operator === "$out" || operator === "$merge") && i !== pipeline.length - 1) {
      throw commandError("Location40601", `${operator} can only be the final stage in the pipeline`);
    }
  });
  const last = pipeline.at(-1);
  const outputStage = last && ("$out" in last || "$merge" in last) ? last : undefined;
  const stages = outputStage ? pipeline.slice(0, -1) : pipeline;
  const collation = effectiveCollation(ctx, name, optionalDocument(command, "collation"));
  const variables = evaluateLet(command);

  const { input, rest, fromCollection, hiddenField } = pipelineInput(ctx, name, stages, { hint: command.hint, variables, collation });
  const results = (fromCollection && countShortcut(rest, input.length)) || runPipeline(input, rest, { resolveCollection: resolver(ctx), variables, collation });
  if (hiddenField) for (const doc of results) delete doc[hiddenField];
  const ns = `${ctx.db}.${name ?? "$cmd.aggregate"}`;
  if (outputStage) {
    writeStageResults(outputStage, results, ctx, variables, boolOption(command, "bypassDocumentValidation", false));
    return { cursor: { id: Long.ZERO, ns, firstBatch: [] }, ok: 1 };
  }
  return { cursor: ctx.cursors.open(ns, results, optionalNumber(cursorOptions ?? {}, "batchSize")), ok: 1 };
}

interface PipelineInput {
  input: Document[];
  rest: Document[];
  /** Input is the collection's documents (after a leading $match), not a view or a db-level source. */
  fromCollection: boolean;
  /** A field the first stage added for later stages that the reply must not show. */
  hiddenField?: string;
}

/** Where the pipeline's documents come from; a leading $match goes through the shared read path so it can use an index. */
function pipelineInput(ctx: CommandContext, name: string | undefined, stages: Document[], options: SelectOptions): PipelineInput {
  if (!name) {
    if (stages[0] && "$listLocalSessions" in stages[0]) return { input: ctx.sessions.list(), rest: stages.slice(1), fromCollection: false };
    return { input: [], rest: stages, fromCollection: false };
  }
  const view = resolveView(ctx, name);
  if (view) return { input: [...(view.source?.docs.values() ?? [])], rest: [...view.pipeline, ...stages], fromCollection: false };
  const coll = ctx.engine.collection(ctx.db, name);
  const search = searchStageInput(ctx, name, coll, stages);
  if (search) return { ...search, fromCollection: false };
  const first = stages[0];
  if (first && "$match" in first) return { input: selectDocuments(coll, first.$match as Document, options), rest: stages.slice(1), fromCollection: true };
  return { input: selectDocuments(coll, {}, { hint: options.hint }), rest: stages, fromCollection: true };
}

export const aggregateCommands: CommandTable = { aggregate };

import { Long, type Document } from "bson";
import { commandError } from "../errors";
import { runPipeline } from "../query";
import { boolOption, collectionName, optionalDocument, optionalNumber, requireArray } from "./args";
import { effectiveCollation } from "./collation";
import type { CommandContext, CommandTable } from "./context";
import { countShortcut } from "./count-shortcut";
import { lookupShortcut } from "./lookup-shortcut";
import { uncorrelatedLookups } from "./uncorrelated-lookups";
import { evaluateLet } from "./variables";
import { resolver } from "./views";
import { writeStageResults } from "./aggregate-output";
import { pipelineInput } from "./pipeline-input";
import { explainAggregate } from "./explain-read";

async function aggregate(command: Document, ctx: CommandContext): Promise<Document> {
  const dbLevel = command.aggregate === 1;
  const name = dbLevel ? undefined : collectionName(command, ctx);
  const pipeline = requireArray(command, "pipeline");
  const cursorOptions = optionalDocument(command, "cursor");
  if (!cursorOptions && !command.explain) throw commandError("FailedToParse", "The 'cursor' option is required, except for aggregate with the explain argument");
  if (command.explain === true) return explainAggregate(command, ctx, "queryPlanner");
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

  const { input, rest, fromCollection, hiddenField } = await pipelineInput(ctx, name, stages, { hint: command.hint, variables, collation });
  const joinedOnce =
    !outputStage && (fromCollection || (dbLevel && input.length === 0)) ? await uncorrelatedLookups(ctx, input, rest, { dbLevel: !fromCollection, collation, variables }) : undefined;
  const shortcut = joinedOnce ?? (fromCollection ? (countShortcut(rest, input.length) ?? lookupShortcut(input, rest, collation, (from) => ctx.engine.collection(ctx.db, from))) : undefined);
  const results = shortcut ?? runPipeline(input, rest, { resolveCollection: resolver(ctx), variables, collation });
  if (hiddenField) for (const doc of results) delete doc[hiddenField];
  const ns = `${ctx.db}.${name ?? "$cmd.aggregate"}`;
  if (outputStage) {
    writeStageResults(outputStage, results, ctx, variables, boolOption(command, "bypassDocumentValidation", false));
    return { cursor: { id: Long.ZERO, ns, firstBatch: [] }, ok: 1 };
  }
  return { cursor: ctx.cursors.open(ns, results, optionalNumber(cursorOptions ?? {}, "batchSize")), ok: 1 };
}

export const aggregateCommands: CommandTable = { aggregate };

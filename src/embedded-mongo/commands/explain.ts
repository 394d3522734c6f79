import type { Document } from "bson";
import { commandError } from "../errors";
import { optionalDocument } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { explainAggregate, explainCount, explainDelete, explainDistinct, explainFind, explainFindAndModify, explainUpdate, type Verbosity } from "./explain-read";

const EXPLAINED: Record<string, (inner: Document, ctx: CommandContext, verbosity: Verbosity, command: Document) => Document | Promise<Document>> = {
  find: explainFind,
  aggregate: explainAggregate,
  count: explainCount,
  distinct: explainDistinct,
  update: explainUpdate,
  delete: explainDelete,
  findandmodify: explainFindAndModify,
};

const VERBOSITIES = new Set(["queryPlanner", "executionStats", "allPlansExecution"]);

/**
 * explain for find, aggregate, count, distinct, update, delete and findAndModify: the plan the
 * planner chose and the keys and documents it examined, as mongod reports them. Writes are
 * planned and their matches counted, never applied.
 */
function explain(command: Document, ctx: CommandContext): Document | Promise<Document> {
  const inner = optionalDocument(command, "explain");
  if (!inner) throw commandError("FailedToParse", "explain command requires a nested object");
  const verbosity = (command.verbosity ?? "allPlansExecution") as Verbosity;
  if (!VERBOSITIES.has(verbosity)) throw commandError("FailedToParse", `verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}`);
  const kind = Object.keys(inner)[0];
  const handler = kind === undefined ? undefined : EXPLAINED[kind.toLowerCase()];
  if (!handler) throw commandError("CommandNotFound", `Explain failed due to unknown command: ${kind}`);
  return handler(inner, ctx, verbosity, inner);
}

export const explainCommands: CommandTable = { explain };

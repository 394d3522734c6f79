import type { Document } from "bson";
import { commandError } from "../errors";
import { collectionName, optionalDocument, optionalNumber } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { selectDocuments } from "./select";
import { evaluateLet } from "./variables";

/**
 * explain for find only, reporting the plan kind and documents examined: enough to check that
 * an equality on an indexed field looks at one document, not the whole collection.
 */
function explain(command: Document, ctx: CommandContext): Document {
  const inner = optionalDocument(command, "explain");
  if (!inner || Object.keys(inner)[0] !== "find") throw commandError("NotImplemented", "explain is only supported for find");
  const name = collectionName(inner, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  const filter = optionalDocument(inner, "filter") ?? {};
  const docs = selectDocuments(coll, filter, {
    sort: optionalDocument(inner, "sort"),
    skip: optionalNumber(inner, "skip"),
    limit: Math.abs(optionalNumber(inner, "limit") ?? 0),
    hint: inner.hint,
    collation: optionalDocument(inner, "collation"),
    variables: evaluateLet(inner),
  });
  const index = coll?.candidates(filter).index;
  const stage = index === "_id_" ? "IDHACK" : index ? "IXSCAN" : "COLLSCAN";
  return {
    queryPlanner: {
      namespace: `${ctx.db}.${name}`,
      parsedQuery: filter,
      winningPlan: index ? { stage: "FETCH", inputStage: { stage, indexName: index } } : { stage },
      rejectedPlans: [],
    },
    executionStats: {
      executionSuccess: true,
      nReturned: docs.length,
      totalKeysExamined: index ? (coll?.lastDocsExamined ?? 0) : 0,
      totalDocsExamined: coll?.lastDocsExamined ?? 0,
    },
    ok: 1,
  };
}

export const explainCommands: CommandTable = { explain };

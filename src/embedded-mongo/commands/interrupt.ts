import { commandError } from "../errors";
import { checkInterrupted } from "../operations";
import type { Collection } from "../storage/collection";
import type { CommandContext } from "./context";

/**
 * What a paused read checks when it resumes: killOp, and that its collection is still the one
 * under that name (mongod kills a query whose collection is dropped or renamed meanwhile).
 */
export function resumeCheck(ctx: CommandContext, coll: Collection | undefined): () => void {
  const db = coll?.db;
  const name = coll?.name;
  return () => {
    if (ctx.operation) ctx.operation.yields++;
    checkInterrupted(ctx.operation);
    if (coll && (db === undefined || name === undefined || ctx.engine.collection(db, name) !== coll)) {
      throw commandError("QueryPlanKilled", `query plan killed :: caused by :: collection ${db}.${name} was dropped or renamed during the query`);
    }
  };
}

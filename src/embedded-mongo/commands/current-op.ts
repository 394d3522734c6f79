import { Long, type Document } from "bson";
import os from "node:os";
import { commandError } from "../errors";
import { OperationRegistry, type Operation } from "../operations";
import { compileFilter } from "../query";
import type { CommandContext, CommandTable } from "./context";
import { allows } from "../auth/roles";

/** mongod's `op` for each command: reads and writes by kind, everything else "command". */
const OP_TYPES: Record<string, string> = { find: "query", getmore: "getmore", insert: "insert", update: "update", delete: "remove" };

/** currentOp's arguments that are not a filter over the operations. */
const NOT_FILTER = new Set(["currentOp", "$all", "$ownOps", "$truncateOps", "$db", "lsid", "$clusterTime", "$readPreference", "apiVersion", "apiStrict", "apiDeprecationErrors", "comment"]);

function namespaceOf(op: Operation): string {
  const target = op.command[Object.keys(op.command)[0]];
  if (op.name === "getmore" && typeof op.command.collection === "string") return `${op.db}.${op.command.collection}`;
  return typeof target === "string" && op.name !== "renamecollection" ? `${op.db}.${target}` : `${op.db}.$cmd`;
}

function describe(op: Operation, now: number): Document {
  const micros = Math.round(Math.max(0, performance.now() - op.startedAt) * 1000);
  return {
    type: "op",
    host: os.hostname(),
    desc: `conn${op.connectionId}`,
    connectionId: op.connectionId,
    active: true,
    currentOpTime: new Date(now).toISOString(),
    opid: op.opid,
    secs_running: Long.fromNumber(Math.floor(micros / 1_000_000)),
    microsecs_running: Long.fromNumber(micros),
    op: Object.hasOwn(OP_TYPES, op.name) ? OP_TYPES[op.name] : "command",
    ns: namespaceOf(op),
    command: OperationRegistry.shownCommand(op),
    ...(op.command.lsid !== undefined ? { lsid: op.command.lsid } : {}),
    numYields: op.yields,
    locks: {},
    waitingForLock: false,
    killPending: op.killed,
  };
}

/** The operations in progress, as `$currentOp` gives them (the one asking included). */
export function currentOperations(ctx: CommandContext): Document[] {
  const now = Date.now();
  return ctx.operations.list().map((op) => describe(op, now));
}

const STAGE_OPTIONS = new Set(["allUsers", "idleConnections", "idleCursors", "idleSessions", "localOps", "truncateOps", "backtrace", "targetAllNodes"]);

/** `$currentOp` opens an `aggregate: 1` pipeline on admin; its options only widen what mongod lists. */
export function checkCurrentOpStage(spec: unknown, ctx: CommandContext, dbLevel: boolean): void {
  if (!dbLevel || ctx.db !== "admin") throw commandError("InvalidNamespace", "$currentOp must be run against the 'admin' database with {aggregate: 1}");
  // Other users' commands are visible here: the same right as the currentOp command (root).
  if (ctx.authEnabled && !allows(ctx.auth.roles, "currentop", "admin")) throw commandError("Unauthorized", "not authorized on admin to execute command { aggregate: 1, pipeline: [ { $currentOp: ... } ] }");
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw commandError("FailedToParse", "$currentOp options must be specified in an object");
  for (const key of Object.keys(spec)) {
    if (!STAGE_OPTIONS.has(key)) throw commandError("Location40415", `BSON field '$currentOp.${key}' is an unknown field.`);
  }
}

function requireAdmin(name: string, ctx: CommandContext): void {
  if (ctx.db !== "admin") throw commandError("Unauthorized", `${name} may only be run against the admin database.`);
}

function currentOp(command: Document, ctx: CommandContext): Document {
  requireAdmin("currentOp", ctx);
  const filter: Document = {};
  for (const [key, value] of Object.entries(command)) if (!NOT_FILTER.has(key)) filter[key] = value;
  const match = compileFilter(filter);
  return { inprog: currentOperations(ctx).filter((op) => match(op)), ok: 1 };
}

function killOp(command: Document, ctx: CommandContext): Document {
  requireAdmin("killOp", ctx);
  const raw = command.op;
  if (raw === undefined) throw commandError("Location40414", "BSON field 'killOp.op' is missing but a required field");
  const opid = typeof raw === "number" ? raw : typeof raw === "object" && raw !== null && (raw._bsontype === "Long" || raw._bsontype === "Int32" || raw._bsontype === "Double") ? Number(raw.toString()) : NaN;
  if (!Number.isInteger(opid)) throw commandError("TypeMismatch", "Field 'op' must be a number");
  // mongod answers the same whether or not the operation still runs.
  ctx.operations.kill(opid);
  return { info: "attempting to kill op", ok: 1 };
}

export const currentOpCommands: CommandTable = { currentop: currentOp, killop: killOp };

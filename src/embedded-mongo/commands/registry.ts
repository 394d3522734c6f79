import type { Document } from "bson";
import { commandError, MongoCommandError } from "../errors";
import type { CommandContext, CommandTable } from "./context";
import { aggregateCommands } from "./aggregate";
import { bulkWriteCommands, bulkWriteDatabases } from "./bulk-write";
import { collectionCommands } from "./collections";
import { countDistinctCommands } from "./count-distinct";
import { databaseCommands } from "./databases";
import { deleteCommands } from "./delete";
import { explainCommands } from "./explain";
import { findCommands } from "./find";
import { findAndModifyCommands } from "./find-and-modify";
import { handshakeCommands } from "./handshake";
import { indexCommands } from "./indexes";
import { insertCommands } from "./insert";
import { searchIndexCommands } from "./search-indexes";
import { updateCommands } from "./update";
import { currentOpCommands } from "./current-op";
import { renameCommands, parseNamespace } from "./rename";
import { validateCommands } from "./validate";
import { parameterCommands } from "./parameters";
import { allows } from "../auth/roles";
import { saslCommands } from "../auth/sasl";
import { hasUsers, userCommands } from "../auth/users";

const COMMANDS: CommandTable = {
  ...handshakeCommands,
  ...databaseCommands,
  ...collectionCommands,
  ...indexCommands,
  ...insertCommands,
  ...findCommands,
  ...updateCommands,
  ...deleteCommands,
  ...bulkWriteCommands,
  ...findAndModifyCommands,
  ...countDistinctCommands,
  ...aggregateCommands,
  ...explainCommands,
  ...searchIndexCommands,
  ...saslCommands,
  ...userCommands,
  ...currentOpCommands,
  ...renameCommands,
  ...validateCommands,
  ...parameterCommands,
  listcommands: () => ({ commands: Object.fromEntries(Object.keys(COMMANDS).sort().map((name) => [name, { help: "", requiresAuth: !UNAUTHENTICATED.has(name) }])), ok: 1 }),
};

/** What a client may run before authenticating: the handshake and the authentication itself. */
const UNAUTHENTICATED = new Set(["hello", "ismaster", "saslstart", "saslcontinue", "ping", "buildinfo", "endsessions", "logout", "connectionstatus"]);

/**
 * Runs one command and always produces a reply document: failures become
 * `{ ok: 0, errmsg, code, codeName }` like mongod's. The ops the command applied are committed
 * to persistence before the reply is returned, whether it succeeded or not.
 */
export async function runCommand(command: Document, ctx: CommandContext): Promise<Document> {
  const name = Object.keys(command)[0];
  const operation = name === undefined ? undefined : ctx.operations.begin(name.toLowerCase(), ctx.db, command, ctx.connectionId);
  ctx.operation = operation;
  let reply: Document;
  try {
    reply = await dispatch(command, ctx);
  } catch (error) {
    reply = errorReply(error);
  }
  // Until its ops are durable the command is still in progress (currentOp shows it waiting).
  try {
    await ctx.engine.commit(ctx.log);
  } finally {
    if (operation) ctx.operations.end(operation);
  }
  return reply;
}

function dispatch(command: Document, ctx: CommandContext): Document | Promise<Document> {
  const name = Object.keys(command)[0];
  if (name === undefined) throw commandError("CommandNotFound", "no command specified");
  const handler = Object.hasOwn(COMMANDS, name.toLowerCase()) ? COMMANDS[name.toLowerCase()] : undefined;
  if (!handler) throw commandError("CommandNotFound", `no such command: '${name}'`);
  if (command.txnNumber !== undefined || command.startTransaction !== undefined) {
    throw commandError("IllegalOperation", "Transaction numbers are only allowed on a replica set member or mongos");
  }
  if (ctx.authEnabled) authorize(name.toLowerCase(), command, ctx);
  ctx.stats.count(name.toLowerCase(), command);
  ctx.sessions.touch(command.lsid);
  return handler(command, ctx);
}

function authorize(name: string, command: Document, ctx: CommandContext): void {
  if (UNAUTHENTICATED.has(name)) return;
  // The localhost exception: with no user yet, the first one can be created (the server listens on loopback).
  if (name === "createuser" && ctx.db === "admin" && !hasUsers(ctx.engine)) return;
  const grants = ctx.auth.roles;
  if (grants.length === 0) throw commandError("Unauthorized", `Command ${name} requires authentication`);
  for (const db of databasesActedOn(name, command, ctx)) {
    if (!allows(grants, name, db)) throw commandError("Unauthorized", `not authorized on ${db} to execute command { ${name}: ... }`);
  }
}

/** renameCollection and bulkWrite run on admin but act on the databases they name; every other command on its own. */
function databasesActedOn(name: string, command: Document, ctx: CommandContext): string[] {
  if (name === "bulkwrite") return ctx.db === "admin" ? bulkWriteDatabases(command) : [ctx.db];
  if (name !== "renamecollection") return [ctx.db];
  try {
    return [parseNamespace(command.renameCollection, "source").db, parseNamespace(command.to, "target").db];
  } catch {
    // Malformed names: the command itself reports them to whoever may run it on admin.
    return [ctx.db];
  }
}

function errorReply(error: unknown): Document {
  if (error instanceof MongoCommandError) {
    return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...error.extra };
  }
  return { ok: 0, errmsg: error instanceof Error ? error.message : String(error), code: 1, codeName: "InternalError" };
}

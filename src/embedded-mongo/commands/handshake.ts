import { Long, type Document } from "bson";
import os from "node:os";
import { commandError } from "../errors";
import type { CommandContext, CommandTable } from "./context";
import { MAX_BSON_SIZE } from "../storage/collection";
import { MAX_MESSAGE_SIZE } from "../wire/connection";
import { MAX_WIRE_VERSION, SERVER_VERSION, SERVER_VERSION_ARRAY } from "../version";

/** The most statements one insert/update/delete or bulkWrite may carry (mongod's limit). */
export const MAX_WRITE_BATCH_SIZE = 100_000;
const startedAt = Date.now();
const MIB = 1024 * 1024;

/**
 * A standalone server as Node driver 7 expects it. No topologyVersion (that would switch the
 * monitor to streaming hello) and no setName (that would make it a replica set member).
 */
function hello(legacyName: boolean) {
  return (command: Document, ctx: CommandContext): Document => ({
    ...(command.saslSupportedMechs !== undefined ? { saslSupportedMechs: ["SCRAM-SHA-256"] } : {}),
    helloOk: true,
    ...(legacyName ? { ismaster: true } : { isWritablePrimary: true }),
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  });
}

export const handshakeCommands: CommandTable = {
  hello: hello(false),
  ismaster: hello(true),
  ping: () => ({ ok: 1 }),
  buildinfo: () => ({
    version: SERVER_VERSION,
    gitVersion: "embedded",
    versionArray: SERVER_VERSION_ARRAY,
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_SIZE,
    storageEngines: ["embedded"],
    javascriptEngine: "none",
    modules: [],
    ok: 1,
  }),
  serverstatus: (_command, ctx) => ({
    host: os.hostname(),
    version: SERVER_VERSION,
    process: "embedded-mongo",
    pid: Long.fromNumber(process.pid),
    uptime: (Date.now() - startedAt) / 1000,
    uptimeMillis: Long.fromNumber(Date.now() - startedAt),
    localTime: new Date(),
    connections: { current: ctx.stats.connectionsCurrent, available: 1_000_000, totalCreated: ctx.stats.connectionsTotal, active: 1 },
    opcounters: Object.fromEntries(Object.entries(ctx.stats.opcounters).map(([op, n]) => [op, Long.fromNumber(n)])),
    mem: { bits: 64, resident: Math.round(process.memoryUsage().rss / MIB), virtual: Math.round(process.memoryUsage().rss / MIB), supported: true },
    metrics: { cursor: { open: { total: Long.fromNumber(ctx.cursors.size) } } },
    ok: 1,
  }),
  endsessions: (command, ctx) => {
    ctx.sessions.end(Array.isArray(command.endSessions) ? command.endSessions : []);
    return { ok: 1 };
  },
  killallsessions: () => ({ ok: 1 }),
  replsetgetstatus: () => {
    throw commandError("NoReplicationEnabled", "not running with --replSet");
  },
  getcmdlineopts: () => ({ argv: ["embedded-mongo"], parsed: {}, ok: 1 }),
  hostinfo: () => ({ system: { hostname: os.hostname(), numCores: os.cpus().length }, os: { type: os.type() }, ok: 1 }),
  whatsmyuri: () => ({ you: "127.0.0.1", ok: 1 }),
  connectionstatus: (_command, ctx) => ({
    authInfo: {
      authenticatedUsers: [...ctx.auth.users.values()].map(({ user, db }) => ({ user, db })),
      authenticatedUserRoles: ctx.auth.roles,
    },
    ok: 1,
  }),
  getlog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
};

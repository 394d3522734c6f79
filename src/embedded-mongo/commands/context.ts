import type { Document } from "bson";
import type { CursorManager } from "../storage/cursors";
import type { StorageEngine } from "../storage/engine";
import type { StorageOp } from "../storage/ops";
import type { SessionRegistry } from "../sessions";
import type { ConnectionAuth } from "../auth/connection-auth";
import type { ServerStats } from "../server-stats";
import type { Operation, OperationRegistry } from "../operations";
import type { ServerParameters } from "../parameters";

/** What a command handler gets besides its command document. */
export interface CommandContext {
  engine: StorageEngine;
  cursors: CursorManager;
  sessions: SessionRegistry;
  db: string;
  connectionId: number;
  /** Whether commands need an authenticated user (`--auth`); `auth` is this connection's state. */
  authEnabled: boolean;
  stats: ServerStats;
  /** getParameter/setParameter; the TTL monitor reads its settings from here. */
  parameters: ServerParameters;
  /** Every operation in progress (currentOp, killOp) and, while one runs, this command's own. */
  operations: OperationRegistry;
  operation?: Operation;
  auth: ConnectionAuth;
  /** Ops applied by this command, committed to persistence before the reply is sent. */
  log: StorageOp[];
}

/**
 * Synchronous, so a command sees and leaves a consistent state; only long read-only scans pause
 * (reads through select.ts's yielding path, $vectorSearch), checking for killOp when they resume.
 */
export type CommandHandler = (command: Document, ctx: CommandContext) => Document | Promise<Document>;

/** Command handlers by lower-cased command name. */
export type CommandTable = Record<string, CommandHandler>;

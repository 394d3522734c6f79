import type { Document } from "bson";
import { commandError } from "./errors";

/** A command being served, as `currentOp` shows it and `killOp` interrupts it. */
export interface Operation {
  opid: number;
  connectionId: number;
  /** Lower-cased command name. */
  name: string;
  db: string;
  command: Document;
  /** performance.now() when it began. */
  startedAt: number;
  /** Times it let other requests in (a long scan pauses every few milliseconds). */
  yields: number;
  killed: boolean;
}

/** Commands whose arguments carry secrets: currentOp shows only their name. */
const REDACTED = new Set(["saslstart", "saslcontinue", "createuser", "updateuser", "authenticate"]);

/**
 * The operations in progress. Commands run one at a time on the event loop, so what another
 * client sees here are those paused in the middle: long scans between slices, writes waiting
 * for their journal fsync, `$vectorSearch`.
 */
export class OperationRegistry {
  private readonly running = new Map<number, Operation>();
  private nextOpid = 1;

  begin(name: string, db: string, command: Document, connectionId: number): Operation {
    const op: Operation = { opid: this.nextOpid++, connectionId, name, db, command, startedAt: performance.now(), yields: 0, killed: false };
    this.running.set(op.opid, op);
    return op;
  }

  end(op: Operation): void {
    this.running.delete(op.opid);
  }

  list(): Operation[] {
    return [...this.running.values()];
  }

  /** Marks the operation killed; it stops at its next pause. False when no such operation runs. */
  kill(opid: number): boolean {
    const op = this.running.get(opid);
    if (!op) return false;
    op.killed = true;
    return true;
  }

  /** The command as currentOp shows it. */
  static shownCommand(op: Operation): Document {
    return REDACTED.has(op.name) ? { [Object.keys(op.command)[0]]: "***", $db: op.db } : op.command;
  }
}

/**
 * Called by an operation when it resumes after a pause: throws if it was killed meanwhile or has
 * run past its `maxTimeMS` (checked at pauses only, so a read overruns it by up to one slice).
 */
export function checkInterrupted(op: Operation | undefined): void {
  if (!op) return;
  if (op.killed) throw commandError("Interrupted", "operation was interrupted");
  const limit = maxTimeOf(op.command);
  if (limit > 0 && performance.now() - op.startedAt > limit) throw commandError("MaxTimeMSExpired", "operation exceeded time limit");
}

function maxTimeOf(command: Document): number {
  const value = command.maxTimeMS;
  if (typeof value === "number") return value;
  if (typeof value === "object" && value !== null && typeof value.toString === "function") return Number(value.toString()) || 0;
  return 0;
}

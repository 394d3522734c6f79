import type { Logger } from "../lib/logger";

/** More escaped errors than this within a minute: something is broken for good, and a restart is the cure. */
const MAX_PER_MINUTE = 20;

/**
 * The last line of defence: an error that escapes every request's handling (an event emitter
 * with no listener in some library, a promise nobody awaited) is logged and counted, and the
 * process goes on serving the other clients. One request must not be able to end the process.
 * A burst of them still ends it, as Node would, since the process may then be in no state to serve.
 */
export class ProcessGuard {
  /** Shown on /metrics as `process_escaped_errors`. */
  escaped = 0;
  private recent: number[] = [];

  constructor(private readonly log: Logger) {}

  install(): void {
    process.on("uncaughtException", (error) => this.escape("uncaught exception", error));
    process.on("unhandledRejection", (reason) => this.escape("unhandled rejection", reason));
  }

  private escape(kind: string, error: unknown): void {
    this.escaped++;
    const now = Date.now();
    this.recent = this.recent.filter((at) => now - at < 60_000);
    this.recent.push(now);
    if (this.recent.length > MAX_PER_MINUTE) {
      this.log.fatal({ err: error }, `${kind}: ${this.recent.length} in the last minute, stopping`);
      process.exit(1);
    }
    this.log.error({ err: error }, `${kind} outside any request's handling (counted in process_escaped_errors; the process goes on)`);
  }
}

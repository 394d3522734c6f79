import mongoose from "mongoose";

/**
 * How long an operation waits for an unreachable database before it fails. Mongoose would queue
 * it for 10 s and the driver would look for a server for 30 s: a client is better served by a
 * quick SERVICE_UNAVAILABLE it can retry, and health checks report the outage meanwhile.
 */
export const DATABASE_WAIT_MS = 2_000;

/** Driver options that make operations give up on an unreachable server after `DATABASE_WAIT_MS`. */
export const FAIL_FAST_OPTIONS = { serverSelectionTimeoutMS: DATABASE_WAIT_MS } as const;

/** Operations issued while mongoose is not connected wait in its buffer no longer than the driver would. */
export function failFastWhileDisconnected(): void {
  mongoose.set("bufferTimeoutMS", DATABASE_WAIT_MS);
}

// By name: mongoose wraps some of them, and a copy of the driver elsewhere in node_modules has its own classes.
const UNREACHABLE = new Set([
  "MongoServerSelectionError",
  "MongooseServerSelectionError",
  "MongoNetworkError",
  "MongoNetworkTimeoutError",
  "MongoNotConnectedError",
  "MongoTopologyClosedError",
  "MongoServerClosedError",
  "MongoPoolClearedError",
]);
const BUFFERING_TIMED_OUT = /buffering timed out/;
const MAX_CAUSES = 5;

/** Whether an error means "the database cannot be reached right now" rather than a bug or a bad query. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < MAX_CAUSES; depth++) {
    if (UNREACHABLE.has(current.name)) return true;
    if (current.name === "MongooseError" && BUFFERING_TIMED_OUT.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}

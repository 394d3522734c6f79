import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * The log's text (what `read` returns) once `ready` says it holds what the test looks for, or as it
 * is after `timeoutMs` (the test's assertion then fails on it). Log lines are written
 * asynchronously (src/lib/logger.ts): a request's line can land just after its answer.
 */
export async function logWhen(read: () => string, ready: (text: string) => boolean, timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = read();
    if (ready(text) || Date.now() >= deadline) return text;
    await sleep(20);
  }
}

/** `logWhen` for a log file (LOG_FILE). */
export function logFileWhen(file: string, ready: (text: string) => boolean): Promise<string> {
  return logWhen(() => (existsSync(file) ? readFileSync(file, "utf8") : ""), ready);
}

/** The JSON lines of a log's text; a last line still being written is left out. */
// Log lines are whatever the code logged: each test picks the fields it checks.
export function jsonLines(text: string): any[] {
  return text
    .split("\n")
    .slice(0, -1)
    .map((line) => JSON.parse(line));
}

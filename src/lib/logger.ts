import { mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Also append JSON lines to this file (the directory is created if needed). */
  file?: string;
  /** Readable lines on stdout instead of JSON: for a person at a terminal, in development. */
  pretty?: boolean;
}

/**
 * JSON logs on stdout, and in LOG_FILE too when it is set. Lines are written asynchronously: a
 * busy server's lines (an access line per request) go out together in a few writes, off the
 * request's path, instead of one blocking write each. The last lines before an exit are kept:
 * pino writes what is pending synchronously on the process's `exit` (`process.exit` after a fatal
 * start-up error or a shutdown, an uncaught exception), and the file is opened here before the
 * first line so that there is always somewhere to write it. What is traded: lines of the last
 * moments are lost if the process is killed outright (SIGKILL, out of memory, a native crash).
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, base: { service: "ai-learning-platform" } };
  const stdout = (options.pretty && prettyStdout()) || pino.destination({ dest: 1, sync: false });
  if (!options.file) return pino(base, stdout);
  mkdirSync(dirname(options.file), { recursive: true });
  const streams: { stream: DestinationStream; level: LevelWithSilent }[] = [
    { stream: stdout, level: options.level },
    { stream: pino.destination({ dest: openSync(options.file, "a"), sync: false }), level: options.level },
  ];
  return pino(base, pino.multistream(streams));
}

/** pino-pretty is an optional dependency (production images leave it out): JSON without it. */
function prettyStdout(): DestinationStream | undefined {
  let pretty: typeof import("pino-pretty");
  try {
    pretty = require("pino-pretty") as typeof import("pino-pretty");
  } catch {
    return undefined;
  }
  return pretty.build({ sync: true, colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service" });
}

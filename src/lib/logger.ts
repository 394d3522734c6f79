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
 * JSON logs on stdout, and in LOG_FILE too when it is set. Writes are synchronous so that the
 * last lines before an exit (a fatal start-up error, the end of a shutdown) are never lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, base: { service: "ai-learning-platform" } };
  const stdout = (options.pretty && prettyStdout()) || pino.destination({ dest: 1, sync: true });
  if (!options.file) return pino(base, stdout);
  const streams: { stream: DestinationStream; level: LevelWithSilent }[] = [
    { stream: stdout, level: options.level },
    { stream: pino.destination({ dest: options.file, mkdir: true, sync: true }), level: options.level },
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

import pino, { type DestinationStream, type Logger, type LevelWithSilent } from "pino";

export type { Logger };

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Also append JSON lines to this file (the directory is created if needed). */
  file?: string;
}

/**
 * JSON logs on stdout, and in LOG_FILE too when it is set. Writes are synchronous so that the
 * last lines before an exit (a fatal start-up error, the end of a shutdown) are never lost.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, base: { service: "ai-learning-platform" } };
  if (!options.file) return pino(base, pino.destination({ dest: 1, sync: true }));
  const streams: { stream: DestinationStream; level: LevelWithSilent }[] = [
    { stream: pino.destination({ dest: 1, sync: true }), level: options.level },
    { stream: pino.destination({ dest: options.file, mkdir: true, sync: true }), level: options.level },
  ];
  return pino(base, pino.multistream(streams));
}

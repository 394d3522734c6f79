import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "./logger";

/** A Redis URL fit for logs and error messages: the password replaced by `***`. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable REDIS_URL)";
  }
}

/**
 * The one way to open a Redis connection: named (`CLIENT LIST` shows who holds it), and its
 * connection errors logged as warnings that say which server and why, never as unhandled
 * `error` events. `purpose` says what the connection is for and what happens while it is down.
 */
export function openRedis(url: string, options: { name: string; purpose: string; log: Logger } & RedisOptions): Redis {
  const { name, purpose, log, ...redisOptions } = options;
  const client = new Redis(url, { connectionName: `ai-learning-${name}`, ...redisOptions });
  client.on("error", (error: Error) => log.warn({ err: error.message, redis: redactedUrl(url) }, `${purpose}: Redis unavailable`));
  return client;
}

/** Closes politely, or at once when Redis is unreachable. */
export async function closeRedis(client: Redis): Promise<void> {
  await client.quit().catch(() => client.disconnect());
}

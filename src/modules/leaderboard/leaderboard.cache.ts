import type { Redis } from "ioredis";
import { closeRedis, openRedis } from "../../lib/redis";
import type { Logger } from "../../lib/logger";

/**
 * Computed leaderboards, kept briefly. Entries are stored under the generation current when the
 * computation started, and `invalidate` starts a new generation: a board computed while an
 * attempt was being stored is never served after that attempt.
 */
export interface LeaderboardCache {
  generation(): Promise<string>;
  get(generation: string, key: string): Promise<string | null>;
  set(generation: string, key: string, value: string): Promise<void>;
  invalidate(): Promise<void>;
  close(): Promise<void>;
}

/** How long a computed board is served without a new attempt. */
export const LEADERBOARD_TTL_MS = 30_000;

/** One process's cache; correct only while one instance serves the API. */
export class MemoryLeaderboardCache implements LeaderboardCache {
  private current = 0;
  private readonly entries = new Map<string, { value: string; until: number }>();

  async generation(): Promise<string> {
    return String(this.current);
  }

  async get(generation: string, key: string): Promise<string | null> {
    const entry = this.entries.get(`${generation}:${key}`);
    return entry && entry.until > Date.now() ? entry.value : null;
  }

  async set(generation: string, key: string, value: string): Promise<void> {
    if (generation !== String(this.current)) return;
    this.entries.set(`${generation}:${key}`, { value, until: Date.now() + LEADERBOARD_TTL_MS });
  }

  async invalidate(): Promise<void> {
    this.current += 1;
    this.entries.clear();
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/**
 * Shared by every instance: a new attempt on any of them invalidates the boards of all. Keys
 * are prefixed with the database's name, so deployments sharing one Redis never mix boards.
 */
export class RedisLeaderboardCache implements LeaderboardCache {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(url: string, databaseName: string, log: Logger) {
    this.prefix = `leaderboard:${databaseName}`;
    this.redis = openRedis(url, { name: "leaderboard", purpose: "leaderboard cache", log, maxRetriesPerRequest: 1 });
  }

  async generation(): Promise<string> {
    return (await this.redis.get(`${this.prefix}:generation`)) ?? "0";
  }

  get(generation: string, key: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}:${generation}:${key}`);
  }

  async set(generation: string, key: string, value: string): Promise<void> {
    await this.redis.set(`${this.prefix}:${generation}:${key}`, value, "PX", LEADERBOARD_TTL_MS);
  }

  async invalidate(): Promise<void> {
    await this.redis.incr(`${this.prefix}:generation`);
  }

  async close(): Promise<void> {
    await closeRedis(this.redis);
  }
}

import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { raise } from "./errors";
import type { Logger } from "./logger";
import { openRedis } from "./redis";

export interface QuotaSettings {
  /** Key prefix, and the Redis connection's name. */
  name: string;
  /** Units per key within `windowSeconds`; 0 turns the quota off. */
  requests: number;
  windowSeconds: number;
  /** Counted in Redis (shared by every instance) when set, else in this process. */
  redisUrl?: string;
  /** The RATE_LIMITED message, given the seconds until the next unit. */
  refusal: (retryAfterSeconds: number) => string;
}

/**
 * A budget of costly work per key (sign-ins per IP, AI generations per user): the one way a
 * domain refuses more than its share, RATE_LIMITED with `retryAfterSeconds`. While Redis is down
 * its commands fail at once and an in-memory count takes over.
 */
export class Quota {
  private readonly limiter?: RateLimiterAbstract;
  private readonly redis?: Redis;

  constructor(
    private readonly settings: QuotaSettings,
    log: Logger,
  ) {
    if (settings.requests === 0) return;
    const options = { keyPrefix: settings.name, points: settings.requests, duration: settings.windowSeconds };
    if (settings.redisUrl) {
      const purpose = `${settings.name} quota (counting in memory meanwhile)`;
      this.redis = openRedis(settings.redisUrl, { name: settings.name, purpose, log, enableOfflineQueue: false });
      this.limiter = new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
    } else {
      this.limiter = new RateLimiterMemory(options);
    }
  }

  /** Counts one unit for `key`; RATE_LIMITED past the quota. */
  async consume(key: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(key);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      raise("RATE_LIMITED", this.settings.refusal(retryAfterSeconds), { retryAfterSeconds });
    }
  }

  /** Stops the Redis client, reconnection attempts included (`quit` would wait for a connection). */
  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}

import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { raise } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { openRedis } from "../../lib/redis";

export interface AuthRateLimitSettings {
  /** Sign-ups and sign-ins per client IP within `windowSeconds`; 0 turns the limit off. */
  requests: number;
  windowSeconds: number;
  redisUrl?: string;
}

/**
 * Sign-ups and sign-ins (successful or not) per client IP, counted in the auth service so that
 * GraphQL over HTTP, GraphQL over websockets and the REST shim share one budget: each costs a
 * bcrypt hash, which an anonymous caller must not be able to order by the thousand.
 */
export class AuthRateLimit {
  private readonly limiter?: RateLimiterAbstract;
  private readonly redis?: Redis;

  constructor(settings: AuthRateLimitSettings, log: Logger) {
    if (settings.requests === 0) return;
    const options = { keyPrefix: "auth_attempts_ip", points: settings.requests, duration: settings.windowSeconds };
    if (settings.redisUrl) {
      // Commands fail at once while Redis is down, so the in-memory insurance limiter takes over.
      this.redis = openRedis(settings.redisUrl, { name: "auth-rate-limit", purpose: "sign-in rate limit (counting in memory meanwhile)", log, enableOfflineQueue: false });
      this.limiter = new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
    } else {
      this.limiter = new RateLimiterMemory(options);
    }
  }

  /** Counts one attempt from `ip`; RATE_LIMITED (with `retryAfterSeconds`) past the limit. */
  async consume(ip: string | undefined): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(ip ?? "unknown");
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      raise("RATE_LIMITED", `Too many sign-up or sign-in attempts from this address; try again in ${retryAfterSeconds} s`, {
        retryAfterSeconds,
      });
    }
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
  }
}

import type { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { raise } from "./errors";
import type { Logger } from "./logger";
import { openRedis } from "./redis";

export interface QuotaSettings {
  /** Key prefix, and the name of the Redis connection the quota opens from `redisUrl`. */
  name: string;
  /** Units per key within `windowSeconds`; 0 turns the quota off. */
  requests: number;
  windowSeconds: number;
  /** Counted in Redis (shared by every instance) through a connection of this quota's own when set, else in this process. */
  redisUrl?: string;
  /** Instead of `redisUrl`: a connection from `openQuotaRedis` that several quotas share; whoever opened it closes it. */
  redis?: Redis;
  /** The RATE_LIMITED message of `spend`, given the seconds until the next unit; `tooManyRequests` by default. */
  refusal?: (retryAfterSeconds: number) => string;
}

/** What a key has used of its quota in the current window. */
export interface QuotaUse {
  /** Units counted in the window so far. */
  consumed: number;
  /** Units left in the window, never below 0. */
  remaining: number;
  /** Milliseconds until the window ends and the count starts again. */
  msBeforeReset: number;
}

/** The outcome of one `consume`. A refused unit is counted all the same, as the limiter counts it. */
export interface QuotaState extends QuotaUse {
  /** The unit was past the quota: the caller answers RATE_LIMITED, a 429, or whatever its refusal is. */
  refused: boolean;
}

/** What a quota that is off (0 requests) answers to every unit. */
const UNLIMITED: QuotaState = { refused: false, consumed: 0, remaining: Number.POSITIVE_INFINITY, msBeforeReset: 0 };

/** The HTTP rate limit's refusal, and that of a quota that words none of its own. */
export function tooManyRequests(retryAfterSeconds: number): string {
  return `Too many requests; try again in ${retryAfterSeconds} s`;
}

/** The `Retry-After` / `retryAfterSeconds` of a refusal: whole seconds, at least 1 (0 would invite an immediate retry). */
export function retryAfterSeconds(msBeforeReset: number): number {
  return Math.max(1, Math.ceil(msBeforeReset / 1000));
}

/** The IETF draft's `RateLimit-*` headers describing one quota's state for one client. */
export function rateLimitHeaders(quota: { requests: number; windowSeconds: number }, use: QuotaUse): Record<string, string> {
  return {
    "RateLimit-Policy": `${quota.requests};w=${quota.windowSeconds}`,
    "RateLimit-Limit": String(quota.requests),
    "RateLimit-Remaining": String(use.remaining),
    "RateLimit-Reset": String(Math.ceil(use.msBeforeReset / 1000)),
  };
}

const REFUSAL_HEADERS = Symbol("quota refusal headers");

/** The `RateLimit-*` headers of the quota that refused, when `error` is a quota's refusal. */
export function refusalHeaders(error: unknown): Record<string, string> | undefined {
  return typeof error === "object" && error !== null ? (error as { [REFUSAL_HEADERS]?: Record<string, string> })[REFUSAL_HEADERS] : undefined;
}

/**
 * A Redis connection quotas can count on. Its commands fail at once while Redis is down (no
 * offline queue), so each quota's in-memory count takes over instead of requests waiting.
 */
export function openQuotaRedis(url: string, name: string, log: Logger): Redis {
  return openRedis(url, { name, purpose: `${name} quota (counting in memory meanwhile)`, log, enableOfflineQueue: false });
}

/**
 * A budget per key within a window (requests per client, sign-ins per IP, AI generations per
 * user, failed sign-ins per account): the one limiter of the app. Counts live in Redis when one
 * is configured, so every instance shares them; while Redis is unreachable an in-memory count
 * takes over (rate-limiter-flexible's insurance limiter), so limits hold per process instead of
 * failing. Errors other than a refusal propagate: each caller decides whether to fail open.
 */
export class Quota {
  private readonly limiter?: RateLimiterAbstract;
  /** Only a connection the quota opened itself: a shared one is its opener's to close. */
  private readonly ownRedis?: Redis;

  constructor(
    private readonly settings: QuotaSettings,
    log: Logger,
  ) {
    if (settings.requests === 0) return;
    const options = { keyPrefix: settings.name, points: settings.requests, duration: settings.windowSeconds };
    if (settings.redisUrl && !settings.redis) this.ownRedis = openQuotaRedis(settings.redisUrl, settings.name, log);
    const redis = settings.redis ?? this.ownRedis;
    this.limiter = redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
  }

  /** Counts one unit for `key` and says whether it was within the quota, and what is left. */
  async consume(key: string): Promise<QuotaState> {
    if (!this.limiter) return UNLIMITED;
    try {
      return { refused: false, ...use(await this.limiter.consume(key)) };
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return { refused: true, ...use(rejection) };
    }
  }

  /**
   * Counts one unit for `key`; RATE_LIMITED (with `retryAfterSeconds`) past the quota. The error
   * carries this quota's `RateLimit-*` headers for transports that send them (`refusalHeaders`).
   */
  async spend(key: string): Promise<void> {
    const state = await this.consume(key);
    if (!state.refused) return;
    const seconds = retryAfterSeconds(state.msBeforeReset);
    try {
      raise("RATE_LIMITED", (this.settings.refusal ?? tooManyRequests)(seconds), { retryAfterSeconds: seconds });
    } catch (error) {
      Object.defineProperty(error, REFUSAL_HEADERS, { value: rateLimitHeaders(this.settings, state) });
      throw error;
    }
  }

  /** What `key` has used in the current window, without counting anything; null when nothing. */
  async peek(key: string): Promise<QuotaUse | null> {
    const state = await this.limiter?.get(key);
    return state ? use(state) : null;
  }

  /** Takes back one unit counted for `key`: work that was counted but never done. */
  async refund(key: string): Promise<void> {
    await this.limiter?.reward(key);
  }

  /** Forgets everything counted for `key`. */
  async reset(key: string): Promise<void> {
    await this.limiter?.delete(key);
  }

  /** Counts one unit for `key` in a window that starts now, whatever was counted before: a mark that lasts one window from its latest setting. */
  async restart(key: string): Promise<void> {
    await this.limiter?.set(key, 1, this.settings.windowSeconds);
  }

  /** Stops the Redis client, reconnection attempts included (`quit` would wait for a connection). */
  async close(): Promise<void> {
    this.ownRedis?.disconnect();
  }
}

function use(state: RateLimiterRes): QuotaUse {
  return { consumed: state.consumedPoints, remaining: Math.max(0, state.remainingPoints), msBeforeReset: state.msBeforeNext };
}

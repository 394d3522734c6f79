import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { openRedis } from "../../lib/redis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import { raise } from "../../lib/errors";
import type { Logger } from "../../lib/logger";

export interface LoginThrottleSettings {
  maxFailuresPerEmail: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
  /** Shared counters across API instances; memory (one process) otherwise. */
  redisUrl?: string;
}

/** Failures before answers start to slow down; the delay then doubles with each failure. */
const FREE_FAILURES = 1;
const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * Counts failed sign-ins per e-mail and per client IP. Failures past the first are answered
 * more and more slowly; once either count reaches its limit, attempts are refused with
 * RATE_LIMITED until the window ends, even with the right password.
 */
export class LoginThrottle {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;
  private readonly redis?: Redis;

  constructor(
    private readonly settings: LoginThrottleSettings,
    log: Logger,
  ) {
    if (settings.redisUrl) {
      // Commands fail at once while Redis is down, so the in-memory insurance limiter takes over.
      this.redis = openRedis(settings.redisUrl, { name: "login-throttle", purpose: "login throttle (counting in memory meanwhile)", log, enableOfflineQueue: false });
    }
    this.byEmail = this.limiter("login_fail_email", settings.maxFailuresPerEmail);
    this.byIp = this.limiter("login_fail_ip", settings.maxFailuresPerIp);
  }

  /** Throws RATE_LIMITED (with `retryAfterSeconds`) when this e-mail or IP is locked out. */
  async check(email: string, ip: string | undefined): Promise<void> {
    const [emailState, ipState] = await Promise.all([this.byEmail.get(email), ip ? this.byIp.get(ip) : null]);
    const waits = [
      lockedFor(emailState, this.settings.maxFailuresPerEmail),
      lockedFor(ipState, this.settings.maxFailuresPerIp),
    ].filter((ms): ms is number => ms !== undefined);
    if (waits.length === 0) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
    raise("RATE_LIMITED", "Too many failed sign-in attempts; try again later", { retryAfterSeconds });
  }

  /** Counts a failure, then waits a little longer than after the previous one. */
  async failed(email: string, ip: string | undefined): Promise<void> {
    const [emailState] = await Promise.all([this.byEmail.penalty(email), ip ? this.byIp.penalty(ip) : null]);
    const extra = emailState.consumedPoints - FREE_FAILURES;
    if (extra > 0) await sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (extra - 1)));
  }

  /** A success clears the e-mail's count; the IP's count stays (one IP trying many accounts). */
  async succeeded(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }

  /** Stops the Redis client, reconnection attempts included (`quit` would wait for a connection). */
  async close(): Promise<void> {
    this.redis?.disconnect();
  }

  private limiter(keyPrefix: string, points: number): RateLimiterAbstract {
    const options = { keyPrefix, points, duration: this.settings.windowSeconds };
    if (!this.redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
  }
}

function lockedFor(state: { consumedPoints: number; msBeforeNext: number } | null, limit: number): number | undefined {
  return state && state.consumedPoints >= limit ? state.msBeforeNext : undefined;
}

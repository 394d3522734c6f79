import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { openRedis } from "../../lib/redis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from "rate-limiter-flexible";
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
 * How long an address that signed in to an account (or created it) stays known to it. Kept under
 * 24.8 days: the in-memory store expires keys with one setTimeout each.
 */
const KNOWN_ADDRESS_SECONDS = 14 * 86_400;

/** The counts one attempt was judged by, taken atomically when it was reserved. */
interface Counts {
  /** The count that decides this attempt: the (account, IP) pair's from a known address, else the account's. */
  governing: RateLimiterRes;
  ip: RateLimiterRes | null;
}

/** One sign-in attempt that was let through and already counted as a failure. */
export interface LoginAttempt {
  /** Answers a little more slowly than the previous failure did. */
  failed(): Promise<void>;
  /** Takes the provisional failure back and clears the account's counts. */
  succeeded(): Promise<void>;
}

/**
 * Counts failed sign-ins per account, per (account, IP) pair and per client IP.
 *
 * An address that signed in to an account (or created it) within KNOWN_ADDRESS_SECONDS is
 * judged by its own failures on that account only, so a stranger who fails on purpose cannot
 * lock the owner out of the addresses they use; other addresses are judged by the account's
 * failures from anywhere, so guessing from many addresses stays bounded. Every address is also
 * bounded across accounts. Failures past the first are answered more and more slowly; past a
 * limit attempts are refused with RATE_LIMITED until the window ends, even with the right password.
 */
export class LoginThrottle {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byPair: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;
  private readonly known: RateLimiterAbstract;
  private readonly redis?: Redis;

  constructor(
    private readonly settings: LoginThrottleSettings,
    log: Logger,
  ) {
    if (settings.redisUrl) {
      // Commands fail at once while Redis is down, so the in-memory insurance limiter takes over.
      this.redis = openRedis(settings.redisUrl, { name: "login-throttle", purpose: "login throttle (counting in memory meanwhile)", log, enableOfflineQueue: false });
    }
    this.byEmail = this.limiter("login_fail_email", settings.maxFailuresPerEmail, settings.windowSeconds);
    this.byPair = this.limiter("login_fail_pair", settings.maxFailuresPerEmail, settings.windowSeconds);
    this.byIp = this.limiter("login_fail_ip", settings.maxFailuresPerIp, settings.windowSeconds);
    this.known = this.limiter("login_known_ip", 1, KNOWN_ADDRESS_SECONDS);
  }

  /** Throws RATE_LIMITED (with `retryAfterSeconds`) when this e-mail is locked for this IP, or the IP is. */
  async check(email: string, ip: string | undefined): Promise<void> {
    const governing = (await this.isKnown(email, ip)) ? this.byPair.get(pair(email, ip)) : this.byEmail.get(email);
    const [state, ipState] = await Promise.all([governing, ip ? this.byIp.get(ip) : null]);
    refuseBeyond(
      (used) => used >= this.settings.maxFailuresPerEmail,
      (used) => used >= this.settings.maxFailuresPerIp,
      state,
      ipState,
    );
  }

  /**
   * Lets one attempt through and counts it as a failure before the password is checked: the
   * counters go up atomically, so of many concurrent guesses only as many as the limit allows
   * pass (checking first and counting after the slow password check let 9 of 41 through, not 5).
   */
  async reserve(email: string, ip: string | undefined): Promise<LoginAttempt> {
    // A locked account is refused without writing anything.
    await this.check(email, ip);
    const counts = await this.count(email, ip);
    try {
      refuseBeyond(
        (used) => used > this.settings.maxFailuresPerEmail,
        (used) => used > this.settings.maxFailuresPerIp,
        counts.governing,
        counts.ip,
      );
    } catch (refusal) {
      // Lost the race to concurrent attempts: this one was never tried, so it does not count.
      await Promise.all([this.byEmail.reward(email), ip ? this.byPair.reward(pair(email, ip)) : null, ip ? this.byIp.reward(ip) : null]);
      throw refusal;
    }
    return {
      failed: () => backOff(counts),
      succeeded: async () => {
        if (ip) await this.byIp.reward(ip);
        await this.succeeded(email, ip);
      },
    };
  }

  /** Counts a failure that was not reserved beforehand, then waits a little longer than after the previous one. */
  async failed(email: string, ip: string | undefined): Promise<void> {
    await backOff(await this.count(email, ip));
  }

  /**
   * A success (or the sign-up that created the account) clears the account's counts and makes
   * the address known to it. The IP's count stays (one IP trying many accounts).
   */
  async succeeded(email: string, ip?: string): Promise<void> {
    await Promise.all([
      this.byEmail.delete(email),
      ip ? this.byPair.delete(pair(email, ip)) : null,
      ip ? this.known.set(pair(email, ip), 1, KNOWN_ADDRESS_SECONDS) : null,
    ]);
  }

  /** Stops the Redis client, reconnection attempts included (`quit` would wait for a connection). */
  async close(): Promise<void> {
    this.redis?.disconnect();
  }

  private async isKnown(email: string, ip: string | undefined): Promise<boolean> {
    return ip !== undefined && (await this.known.get(pair(email, ip))) !== null;
  }

  private async count(email: string, ip: string | undefined): Promise<Counts> {
    const [known, byEmail, byPair, byIp] = await Promise.all([
      this.isKnown(email, ip),
      this.byEmail.penalty(email),
      ip ? this.byPair.penalty(pair(email, ip)) : null,
      ip ? this.byIp.penalty(ip) : null,
    ]);
    return { governing: known && byPair ? byPair : byEmail, ip: byIp };
  }

  private limiter(keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
    const options = { keyPrefix, points, duration };
    if (!this.redis) return new RateLimiterMemory(options);
    return new RateLimiterRedis({ ...options, storeClient: this.redis, insuranceLimiter: new RateLimiterMemory(options) });
  }
}

function pair(email: string, ip: string | undefined): string {
  return `${email}|${ip ?? ""}`;
}

type State = { consumedPoints: number; msBeforeNext: number } | null;

function refuseBeyond(accountOver: (used: number) => boolean, ipOver: (used: number) => boolean, account: State, ip: State): void {
  const waits = [account && accountOver(account.consumedPoints) ? account.msBeforeNext : undefined, ip && ipOver(ip.consumedPoints) ? ip.msBeforeNext : undefined].filter(
    (ms): ms is number => ms !== undefined,
  );
  if (waits.length === 0) return;
  const retryAfterSeconds = Math.max(1, Math.ceil(Math.max(...waits) / 1000));
  raise("RATE_LIMITED", "Too many failed sign-in attempts; try again later", { retryAfterSeconds });
}

/** Each failure past the first on the governing count waits twice as long as the one before. */
async function backOff(counts: Counts): Promise<void> {
  const extra = counts.governing.consumedPoints - FREE_FAILURES;
  if (extra > 0) await sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (extra - 1)));
}

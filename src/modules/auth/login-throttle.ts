import { setTimeout as sleep } from "node:timers/promises";
import type { Redis } from "ioredis";
import { raise } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { openQuotaRedis, Quota, retryAfterSeconds, type QuotaState, type QuotaUse } from "../../lib/quota";

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
  governing: QuotaState;
  ip: QuotaState | null;
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
  private readonly byEmail: Quota;
  private readonly byPair: Quota;
  private readonly byIp: Quota;
  /** An (account, IP) pair is known while its one unit lasts. */
  private readonly known: Quota;
  /** One connection for the four counts. */
  private readonly redis?: Redis;

  constructor(settings: LoginThrottleSettings, log: Logger) {
    if (settings.redisUrl) this.redis = openQuotaRedis(settings.redisUrl, "login-throttle", log);
    const quota = (name: string, requests: number, windowSeconds: number) => new Quota({ name, requests, windowSeconds, redis: this.redis }, log);
    this.byEmail = quota("login_fail_email", settings.maxFailuresPerEmail, settings.windowSeconds);
    this.byPair = quota("login_fail_pair", settings.maxFailuresPerEmail, settings.windowSeconds);
    this.byIp = quota("login_fail_ip", settings.maxFailuresPerIp, settings.windowSeconds);
    this.known = quota("login_known_ip", 1, KNOWN_ADDRESS_SECONDS);
  }

  /** Throws RATE_LIMITED (with `retryAfterSeconds`) when this e-mail is locked for this IP, or the IP is. */
  async check(email: string, ip: string | undefined): Promise<void> {
    const governing = (await this.isKnown(email, ip)) ? this.byPair.peek(pair(email, ip)) : this.byEmail.peek(email);
    const uses = await Promise.all([governing, ip ? this.byIp.peek(ip) : null]);
    // Locked once no failure is left: the next one would be past the limit.
    const locked = uses.filter((use): use is QuotaUse => use !== null && use.remaining === 0);
    if (locked.length > 0) refuseUntilReset(locked);
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
    const refused = [counts.governing, counts.ip].filter((state): state is QuotaState => state?.refused === true);
    if (refused.length > 0) {
      // Lost the race to concurrent attempts: this one was never tried, so it does not count.
      await Promise.all([this.byEmail.refund(email), ip ? this.byPair.refund(pair(email, ip)) : null, ip ? this.byIp.refund(ip) : null]);
      refuseUntilReset(refused);
    }
    return {
      failed: () => backOff(counts),
      succeeded: async () => {
        if (ip) await this.byIp.refund(ip);
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
    await Promise.all([this.byEmail.reset(email), ip ? this.byPair.reset(pair(email, ip)) : null, ip ? this.known.restart(pair(email, ip)) : null]);
  }

  /** Stops the Redis client, reconnection attempts included (`quit` would wait for a connection). */
  async close(): Promise<void> {
    this.redis?.disconnect();
  }

  private async isKnown(email: string, ip: string | undefined): Promise<boolean> {
    return ip !== undefined && (await this.known.peek(pair(email, ip))) !== null;
  }

  /** Counts one failure on every count; a count past its limit refuses the attempt, but only `reserve` acts on that. */
  private async count(email: string, ip: string | undefined): Promise<Counts> {
    const [known, byEmail, byPair, byIp] = await Promise.all([
      this.isKnown(email, ip),
      this.byEmail.consume(email),
      ip ? this.byPair.consume(pair(email, ip)) : null,
      ip ? this.byIp.consume(ip) : null,
    ]);
    return { governing: known && byPair ? byPair : byEmail, ip: byIp };
  }
}

function pair(email: string, ip: string | undefined): string {
  return `${email}|${ip ?? ""}`;
}

/** RATE_LIMITED until the last of the counts over their limit resets. */
function refuseUntilReset(over: QuotaUse[]): never {
  const seconds = retryAfterSeconds(Math.max(...over.map((use) => use.msBeforeReset)));
  return raise("RATE_LIMITED", "Too many failed sign-in attempts; try again later", { retryAfterSeconds: seconds });
}

/** Each failure past the first on the governing count waits twice as long as the one before. */
async function backOff(counts: Counts): Promise<void> {
  const extra = counts.governing.consumed - FREE_FAILURES;
  if (extra > 0) await sleep(Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (extra - 1)));
}

import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../../lib/logger";
import { fail, type ClassifyError } from "./failures";

export interface RetryPolicy {
  /** Attempts after the first. */
  maxRetries: number;
  baseDelayMs: number;
  /** No single wait is longer; a server asking for more is not waited for. */
  maxDelayMs: number;
  /** Each attempt is aborted after this long. */
  timeoutMs: number;
}

/**
 * Runs `attempt` until it succeeds, a failure is not worth retrying, or the retries are spent,
 * waiting with exponential back-off and jitter (at least as long as the server asked) between
 * tries. The caller's abort ends it at once with the signal's reason.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  classify: ClassifyError,
  log: Logger,
  callerSignal: AbortSignal | undefined,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    // SDKs listen for "abort" events only, so they would send a request for an already aborted signal.
    callerSignal?.throwIfAborted();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), policy.timeoutMs);
    try {
      return await attempt(callerSignal ? AbortSignal.any([callerSignal, deadline.signal]) : deadline.signal);
    } catch (error) {
      callerSignal?.throwIfAborted();
      const failure = classify(error, deadline.signal.aborted);
      if (!failure) throw error;
      const waitMs = Math.max(failure.retryAfterMs ?? 0, backoffMs(policy, retry));
      if (!failure.retryable || retry >= policy.maxRetries || waitMs > policy.maxDelayMs) {
        const retryAfterSeconds = failure.retryAfterMs === undefined ? undefined : Math.ceil(failure.retryAfterMs / 1000);
        fail({ ...failure, details: { ...failure.details, attempts: retry + 1, retryAfterSeconds } });
      }
      log.warn({ err: (error as Error).message, retry: retry + 1, waitMs }, "ai: call failed, retrying");
      await sleep(waitMs, undefined, { signal: callerSignal }).catch(() => callerSignal?.throwIfAborted());
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Equal jitter: half the exponential delay, plus a random part of the other half. */
function backoffMs(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

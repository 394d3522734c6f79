import type { Request, RequestHandler, Response } from "express";
import { GraphQLError } from "graphql";
import type { Redis } from "ioredis";
import { openRedis } from "../../lib/redis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../../config";
import { ErrorCode } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { TokenService } from "../../modules/auth/token.service";

const BEARER = /^Bearer\s+(\S+)$/i;

export interface RateLimit {
  middleware: RequestHandler;
  /**
   * Counts one request of `client` (`user:<id>` or `ip:<address>`, as the middleware keys them)
   * for transports the middleware does not see (each websocket operation); returns the seconds to
   * wait when past the limit, else null.
   */
  consume(client: string): Promise<number | null>;
  close(): Promise<void>;
}

/**
 * RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW seconds for each client: the user of a valid access
 * token, otherwise the IP address (behind a proxy, set TRUST_PROXY). Every answer carries the
 * IETF draft's `RateLimit-*` headers; past the limit it is 429 with `Retry-After` and
 * RATE_LIMITED. Counters are shared through Redis when REDIS_URL is set (in memory while Redis
 * is unreachable), per process otherwise. With RATE_LIMIT_REQUESTS=0 nothing is limited.
 */
export function createRateLimit(config: Config, log: Logger, onLimited: () => void): RateLimit {
  const { requests, windowSeconds } = config.rateLimit;
  if (requests === 0) return { middleware: (_req, _res, next) => next(), consume: async () => null, close: async () => undefined };

  const options = { keyPrefix: "rate_limit", points: requests, duration: windowSeconds };
  let redis: Redis | undefined;
  let limiter: RateLimiterAbstract;
  if (config.redisUrl) {
    // Commands fail at once while Redis is down, so the in-memory insurance limiter takes over.
    redis = openRedis(config.redisUrl, { name: "rate-limit", purpose: "rate limit (counting in memory meanwhile)", log, enableOfflineQueue: false });
    limiter = new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) });
  } else {
    limiter = new RateLimiterMemory(options);
  }
  // Only the signature and expiry matter here; a signed-out session still counts as its user.
  const tokens = new TokenService(config.jwt);
  const clientKey = (req: Request): string => {
    const token = BEARER.exec(req.headers.authorization ?? "")?.[1];
    const claims = token ? tokens.verifyAccess(token) : null;
    return claims ? `user:${claims.userId}` : `ip:${req.ip ?? "unknown"}`;
  };

  const middleware: RequestHandler = async (req, res, next) => {
    // A browser's CORS preflight is not a request of its own.
    if (req.method === "OPTIONS") return next();
    let state: RateLimiterRes;
    try {
      state = await limiter.consume(clientKey(req));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        // Fail open: an outage of the counters must not take the API down with it.
        req.log.error({ err: rejection }, "rate limit: counting failed");
        return next();
      }
      onLimited();
      setHeaders(res, requests, windowSeconds, rejection);
      refuse(req, res, retryAfter(rejection));
      return;
    }
    setHeaders(res, requests, windowSeconds, state);
    next();
  };
  return {
    middleware,
    async consume(client) {
      try {
        await limiter.consume(client);
        return null;
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          // Fail open, as over HTTP.
          log.error({ err: rejection }, "rate limit: counting failed");
          return null;
        }
        onLimited();
        return retryAfter(rejection);
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}

function retryAfter(rejection: RateLimiterRes): number {
  return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
}

/** The refusal of one operation, in the words of the HTTP path's 429. */
export function rateLimited(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many requests; try again in ${retryAfterSeconds} s`, {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds },
  });
}

function setHeaders(res: Response, limit: number, windowSeconds: number, state: RateLimiterRes): void {
  res.setHeader("RateLimit-Policy", `${limit};w=${windowSeconds}`);
  res.setHeader("RateLimit-Limit", String(limit));
  res.setHeader("RateLimit-Remaining", String(Math.max(0, state.remainingPoints)));
  res.setHeader("RateLimit-Reset", String(Math.ceil(state.msBeforeNext / 1000)));
}

function refuse(req: Request, res: Response, retryAfterSeconds: number): void {
  const message = `Too many requests; try again in ${retryAfterSeconds} s`;
  res.status(429).setHeader("Retry-After", String(retryAfterSeconds));
  if (req.path === "/graphql") {
    res.json({ errors: [{ message, extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds } }] });
  } else {
    res.json({ detail: message });
  }
}

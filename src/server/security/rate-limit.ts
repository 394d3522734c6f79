import type { Request, RequestHandler, Response } from "express";
import { GraphQLError } from "graphql";
import type { Config } from "../../config";
import { ErrorCode } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { Quota, rateLimitHeaders, retryAfterSeconds, tooManyRequests, type QuotaState } from "../../lib/quota";
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

  const quota = new Quota({ name: "rate_limit", requests, windowSeconds, redisUrl: config.redisUrl }, log);
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
    let state: QuotaState;
    try {
      state = await quota.consume(clientKey(req));
    } catch (error) {
      // Fail open: an outage of the counters must not take the API down with it.
      req.log.error({ err: error }, "rate limit: counting failed");
      return next();
    }
    setHeaders(res, requests, windowSeconds, state);
    if (!state.refused) return next();
    onLimited();
    refuse(req, res, retryAfterSeconds(state.msBeforeReset));
  };
  return {
    middleware,
    async consume(client) {
      let state: QuotaState;
      try {
        state = await quota.consume(client);
      } catch (error) {
        // Fail open, as over HTTP.
        log.error({ err: error }, "rate limit: counting failed");
        return null;
      }
      if (!state.refused) return null;
      onLimited();
      return retryAfterSeconds(state.msBeforeReset);
    },
    close: () => quota.close(),
  };
}

/** The refusal of one operation, in the words of the HTTP path's 429. */
export function rateLimited(seconds: number): GraphQLError {
  return new GraphQLError(tooManyRequests(seconds), {
    extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds },
  });
}

function setHeaders(res: Response, limit: number, windowSeconds: number, state: QuotaState): void {
  res.set(rateLimitHeaders({ requests: limit, windowSeconds }, state));
}

function refuse(req: Request, res: Response, seconds: number): void {
  const message = tooManyRequests(seconds);
  res.status(429).setHeader("Retry-After", String(seconds));
  if (req.path === "/graphql") {
    res.json({ errors: [{ message, extensions: { code: ErrorCode.RATE_LIMITED, retryAfterSeconds: seconds } }] });
  } else {
    res.json({ detail: message });
  }
}

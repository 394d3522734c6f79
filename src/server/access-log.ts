import { randomUUID } from "node:crypto";
import type { Express, Request, RequestHandler, Response } from "express";
import type { Logger } from "../lib/logger";

declare module "node:http" {
  interface IncomingMessage {
    /** The request's id: the caller's `x-request-id` when harmless to log, else a new UUID. */
    id: string;
    /** The logger of this request: its lines carry `req` (id, method, url) and `clientIp`. */
    log: Logger;
  }
}

export const REQUEST_ID_HEADER = "x-request-id";
// A caller's id is kept (so a proxy's id links its logs to ours) only if it is harmless to log.
const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

const requestLog = Symbol("requestLog");
const started = Symbol("started");

interface Tracked extends Request {
  [requestLog]?: Logger;
  [started]: number;
}

/**
 * Request ids and one access-log line per request, on the application's logger: `info` with
 * `req` (id, method, url), `clientIp`, `res.statusCode` and `responseTime` (ms), `error` with `err`
 * for a 5xx or a failed response. `req.log` is the request's child logger, made only when
 * something logs through it: most requests log nothing but their access line, which is written
 * with the same fields without a child logger (pino makes and serialises one per call).
 */
export function accessLog(app: Express, log: Logger): RequestHandler {
  const bindings = (req: Request) => ({ req: { id: req.id, method: req.method, url: req.originalUrl }, clientIp: req.ip });
  Object.defineProperty(app.request, "log", {
    configurable: true,
    get(this: Tracked) {
      return (this[requestLog] ??= log.child(bindings(this)));
    },
  });
  const finished = (req: Tracked, res: Response, error: unknown): void => {
    const responseTime = Date.now() - req[started];
    const child = req[requestLog];
    const fields: Record<string, unknown> = child ? {} : bindings(req);
    fields.res = { statusCode: res.statusCode };
    if (error || res.statusCode >= 500) {
      fields.err = error ?? new Error(`failed with status code ${res.statusCode}`);
      fields.responseTime = responseTime;
      (child ?? log).error(fields, "request errored");
    } else {
      fields.responseTime = responseTime;
      (child ?? log).info(fields, "request completed");
    }
  };
  return (req, res, next) => {
    const tracked = req as Tracked;
    tracked[started] = Date.now();
    req.id = requestId(req, res);
    let logged = false;
    const once = (error?: unknown) => {
      if (logged) return;
      logged = true;
      finished(tracked, res, error);
    };
    // A response always ends with `close` (after `finish`, or when the client went away first);
    // an `error` (a write after the end) is logged at once, and must have a listener anyway.
    res.once("close", () => once());
    res.once("error", once);
    next();
  };
}

function requestId(req: Request, res: Response): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === "string" && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

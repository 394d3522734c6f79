import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApolloServerErrorCode } from "@apollo/server/errors";
import cors from "cors";
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from "express";
import { pinoHttp } from "pino-http";
import type { Config } from "../config";
import { isDatabaseUnavailable } from "../infra/db";
import { DATABASE_UNAVAILABLE_MESSAGE, ErrorCode } from "../lib/errors";
import type { Logger } from "../lib/logger";
import type { RouteEnd } from "./direct-route";

const REQUEST_ID_HEADER = "x-request-id";
// A caller's id is kept (so a proxy's id links its logs to ours) only if it is harmless to log.
const SAFE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Express with its settings; handlers and routes are mounted by `createServer`. */
export function createHttpApp(config: Config): Express {
  const app = express();
  app.disable("x-powered-by");
  // Answers are per viewer and rarely repeated: hashing every body for an ETag nobody revalidates is wasted work.
  // (express.static, which serves the IDE's files, sets its own.)
  app.disable("etag");
  app.set("trust proxy", config.trustProxy);
  return app;
}

/** What runs first for every request: its id, its log line, CORS. */
export function requestHandlers(config: Config, log: Logger): RequestHandler[] {
  return [
    pinoHttp({
      logger: log,
      genReqId: requestId,
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? "error" : "info"),
      // The client's address on the line that ends each request, and no logger of its own per request
      // (`customProps` would make one, and work the address out twice).
      customSuccessObject: (req, _res, fields) => ({ ...fields, clientIp: (req as express.Request).ip }),
      customErrorObject: (req, _res, _error, fields) => ({ ...fields, clientIp: (req as express.Request).ip }),
      // Given the request and response themselves: wrapped, each would first be copied whole (headers included) to keep three fields.
      wrapSerializers: false,
      serializers: {
        req: (req: express.Request) => ({ id: req.id, method: req.method, url: req.originalUrl ?? req.url }),
        res: (res: express.Response) => ({ statusCode: res.statusCode }),
      },
    }) as RequestHandler,
    cors({
      origin: config.allowedOrigins.includes("*") ? "*" : config.allowedOrigins,
      exposedHeaders: [REQUEST_ID_HEADER],
      maxAge: 600,
    }),
  ];
}

/** After every route: FastAPI-style `{ detail }` for REST, GraphQL-style `{ errors }` under /graphql. */
export function finishHttpApp(app: Express): void {
  app.use(routeEnd.notFound);
  app.use(routeEnd.handleError);
}

const handleError: ErrorRequestHandler = (error: { status?: number; expose?: boolean; message?: string }, req, res, next) => {
  if (res.headersSent) return next(error);
  if (isDatabaseUnavailable(error)) {
    req.log.warn({ cause: error.message }, "database unavailable");
    res.status(503).json(
      req.path === "/graphql"
        ? { errors: [{ message: DATABASE_UNAVAILABLE_MESSAGE, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } }] }
        : { detail: DATABASE_UNAVAILABLE_MESSAGE },
    );
    return;
  }
  const status = error.status && error.status >= 400 && error.status < 600 ? error.status : 500;
  const message = status < 500 && error.expose !== false ? (error.message ?? "Bad Request") : "Internal Server Error";
  if (status >= 500) req.log.error({ err: error }, "request failed");
  if (req.path === "/graphql") {
    res.status(status).json({ errors: [{ message, extensions: { code: httpErrorCode(status) } }] });
  } else {
    res.status(status).json({ detail: message });
  }
};

/** How a request no route answered, or one that failed, is answered (`finishHttpApp`, `DirectRoute`). */
export const routeEnd: RouteEnd = {
  notFound: (_req, res) => {
    res.status(404).json({ detail: "Not Found" });
  },
  handleError,
};

function httpErrorCode(status: number): string {
  if (status === 413) return ErrorCode.PAYLOAD_TOO_LARGE;
  if (status === 415) return ErrorCode.UNSUPPORTED_MEDIA_TYPE;
  // Apollo answers malformed requests with its own BAD_REQUEST; match it.
  return status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ApolloServerErrorCode.BAD_REQUEST;
}

function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  const id = typeof incoming === "string" && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}

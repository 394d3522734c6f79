import { ApolloServerErrorCode } from "@apollo/server/errors";
import cors from "cors";
import express, { type ErrorRequestHandler, type Express } from "express";
import type { Config } from "../config";
import { isDatabaseUnavailable } from "../infra/db";
import { DATABASE_UNAVAILABLE_MESSAGE, ErrorCode } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { accessLog, REQUEST_ID_HEADER } from "./access-log";

/** Express with request ids, request logging and CORS; routes are mounted by `createServer`. */
export function createHttpApp(config: Config, log: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  // Answers are per viewer and rarely repeated: hashing every body for an ETag nobody revalidates is wasted work.
  // (express.static, which serves the IDE's files, sets its own.)
  app.disable("etag");
  app.set("trust proxy", config.trustProxy);
  app.use(accessLog(app, log));
  app.use(
    cors({
      origin: config.allowedOrigins.includes("*") ? "*" : config.allowedOrigins,
      exposedHeaders: [REQUEST_ID_HEADER],
      maxAge: 600,
    }),
  );
  return app;
}

/** After every route: FastAPI-style `{ detail }` for REST, GraphQL-style `{ errors }` under /graphql. */
export function finishHttpApp(app: Express): void {
  app.use((_req, res) => {
    res.status(404).json({ detail: "Not Found" });
  });
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
  app.use(handleError);
}

function httpErrorCode(status: number): string {
  if (status === 413) return ErrorCode.PAYLOAD_TOO_LARGE;
  if (status === 415) return ErrorCode.UNSUPPORTED_MEDIA_TYPE;
  // Apollo answers malformed requests with its own BAD_REQUEST; match it.
  return status >= 500 ? ErrorCode.INTERNAL_SERVER_ERROR : ApolloServerErrorCode.BAD_REQUEST;
}

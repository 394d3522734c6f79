import { ApolloServerErrorCode } from "@apollo/server/errors";
import type { Request, RequestHandler, Response } from "express";
import type { Config } from "../config";
import { ErrorCode } from "../lib/errors";
import type { Viewer } from "../lib/identity";
import { MultipartError, parseMultipart } from "./multipart";

const MULTIPART_START = /^multipart\/form-data/i;
// The `operations` and `map` fields; the multipart parser refuses longer ones.
const MAX_FIELD_BYTES = 1_000_000;
// Boundaries and part headers around the two fields and the one file.
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * The multipart (upload) body handling of `/graphql`: refuses bodies no upload could need before
 * reading them, parses the rest, and makes sure every refused request still has its body read.
 *
 * Apollo and the resolvers answer many uploads without reading the file (no or expired token,
 * missing `apollo-require-preflight`, a query that does not parse); the parser then holds the rest
 * of the body on the socket, and the client's next request on that keep-alive connection waits
 * behind it until the connection times out and is reset.
 */
export function multipartBody(config: Config, authenticate: (authorization: string | undefined) => Promise<Viewer | null>): RequestHandler {
  const maxFileSize = config.uploads.maxFileSize;
  const maxBodyBytes = maxFileSize + 2 * MAX_FIELD_BYTES + MULTIPART_OVERHEAD_BYTES;
  const steps: RequestHandler[] = [
    refuseOversized(maxBodyBytes, maxFileSize),
    dropUnreadBody(maxBodyBytes),
    refuseUnverified(authenticate),
    // busboy counts a file that reaches its limit as cut off: one byte more lets exactly MAX_FILE_SIZE through.
    parseBody({ maxFieldSize: MAX_FIELD_BYTES, maxFileSize: maxFileSize + 1, maxFiles: 1 }),
  ];
  // The content type is looked at once: every other request (JSON) passes by in one step, most
  // of them on a look at the header's first letters (a multipart one starts so), not a parse of it.
  return (req, res, next) => {
    if (!MULTIPART_START.test(req.headers["content-type"] ?? "") || !req.is("multipart/form-data")) return next();
    let step = 0;
    const advance = (error?: unknown) => {
      const handler = steps[step++];
      if (error || !handler) return next(error);
      void handler(req, res, advance);
    };
    advance();
  };
}

/** The viewer `refuseUnverified` found, for the request's context: the token is checked once. */
export function multipartViewer(res: Response): Promise<Viewer | null> | undefined {
  return (res.locals as { viewer?: Promise<Viewer | null> }).viewer;
}

/**
 * Nothing of a multipart body is parsed for a request that would be refused anyway: one without
 * the CSRF preflight header Apollo asks of every multipart request, or without a valid token
 * (every upload needs a signed-in user). A parser is attack surface; anonymous bytes never reach it.
 */
function refuseUnverified(authenticate: (authorization: string | undefined) => Promise<Viewer | null>): RequestHandler {
  return (req, res, next) => {
    if (!CSRF_HEADERS.some((header) => req.headers[header])) {
      return refuse(req, res, 400, ApolloServerErrorCode.BAD_REQUEST, CSRF_MESSAGE);
    }
    const viewer = authenticate(req.headers.authorization);
    (res.locals as { viewer?: Promise<Viewer | null> }).viewer = viewer;
    viewer.then(
      (found) => (found ? next() : refuse(req, res, 401, ErrorCode.UNAUTHENTICATED, "Uploads need a valid access token (Authorization: Bearer <token>)")),
      next,
    );
  };
}

function parseBody(limits: Parameters<typeof parseMultipart>[1]): RequestHandler {
  return (req, res, next) => {
    parseMultipart(req, limits).then(
      (operations) => {
        req.body = operations;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof MultipartError)) return next(error);
        refuse(req, res, error.status, String(error.extensions.code), error.message);
      },
    );
  };
}

// Apollo's own CSRF rule for requests a browser sends without a preflight (multipart among them), and its words.
const CSRF_HEADERS = ["x-apollo-operation-name", "apollo-require-preflight"];
const CSRF_MESSAGE =
  "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header " +
  "(with a type that is not one of application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide a non-empty value " +
  "for one of the following headers: x-apollo-operation-name, apollo-require-preflight";

function refuse(req: Request, res: Response, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  req.log.info({ statusCode: status, code }, `upload refused: ${message}`);
  res.status(status).json({ errors: [{ message, extensions: { code } }] });
}

/**
 * A declared length past what any upload could need is refused before a byte is read. Reading it
 * only to refuse it would cost the bandwidth, so the connection is closed after the answer (Node
 * reads the rest while the answer is on its way out).
 */
function refuseOversized(maxBodyBytes: number, maxFileSize: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers["content-length"]);
    if (!(declared > maxBodyBytes)) return next();
    req.log.warn({ declaredBytes: declared, maxBodyBytes }, "upload refused: body larger than any upload may be");
    res.setHeader("connection", "close");
    res.status(413).json({
      errors: [
        {
          message: `The request body (${declared} bytes) is larger than an upload of at most ${maxFileSize} bytes can be`,
          extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE, maxFileSize },
        },
      ],
    });
  };
}

/**
 * Once the answer is sent, whatever is left of the body is read and dropped, so that the
 * connection is free for the client's next request. The declared length is already capped by
 * `refuseOversized`; a chunked body without one is cut off (socket closed) past the same cap.
 */
function dropUnreadBody(maxBodyBytes: number): RequestHandler {
  return (req, res, next) => {
    res.once("finish", () => {
      if (req.complete) return;
      let dropped = 0;
      const log = () =>
        req.log.warn(
          { statusCode: res.statusCode, declaredBytes: Number(req.headers["content-length"]) || undefined, droppedBytes: dropped },
          "upload refused before its body was read: rest of the body dropped",
        );
      req.unpipe();
      req.on("data", (chunk: Buffer) => {
        dropped += chunk.length;
        if (dropped > maxBodyBytes) req.socket.destroy();
      });
      req.once("end", log);
      req.once("close", () => {
        if (!req.complete) log();
      });
      req.resume();
    });
    next();
  };
}

import type { RequestHandler } from "express";
import { graphqlUploadExpress } from "graphql-upload-minimal";
import type { Config } from "../config";
import { ErrorCode } from "../lib/errors";

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
export function multipartBody(config: Config): RequestHandler[] {
  const maxFileSize = config.uploads.maxFileSize;
  const maxBodyBytes = maxFileSize + 2 * MAX_FIELD_BYTES + MULTIPART_OVERHEAD_BYTES;
  return [
    refuseOversized(maxBodyBytes, maxFileSize),
    dropUnreadBody(maxBodyBytes),
    // busboy counts a file that reaches its limit as cut off: one byte more lets exactly MAX_FILE_SIZE through.
    graphqlUploadExpress({ maxFieldSize: MAX_FIELD_BYTES, maxFileSize: maxFileSize + 1, maxFiles: 1 }),
  ];
}

/**
 * A declared length past what any upload could need is refused before a byte is read. Reading it
 * only to refuse it would cost the bandwidth, so the connection is closed after the answer (Node
 * reads the rest while the answer is on its way out).
 */
function refuseOversized(maxBodyBytes: number, maxFileSize: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.headers["content-length"]);
    if (!req.is("multipart/form-data") || !(declared > maxBodyBytes)) return next();
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
    if (!req.is("multipart/form-data")) return next();
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

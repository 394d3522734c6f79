import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import busboy from "busboy";
import { GraphQLError } from "graphql";
import { Upload, type FileUpload } from "graphql-upload-minimal";
import { ErrorCode } from "../lib/errors";

const SPEC = "see https://github.com/jaydenseric/graphql-multipart-request-spec";

export interface MultipartLimits {
  /** Bytes of the `operations` and `map` fields. */
  maxFieldSize: number;
  /** Bytes of a file; the file's stream is cut there and marked `truncated`. */
  maxFileSize: number;
  maxFiles: number;
}

/** `Upload` as the scalar receives it; its settle methods are left out of the package's typings. */
type PendingUpload = Upload & { resolve(file: FileUpload): void; reject(error: Error): void };

/**
 * Why a multipart body was refused: 400 for a malformed body, 413 for one over a limit. A GraphQL
 * error with its code, since it also reaches resolvers: a file the map promised and the body
 * never delivered rejects the `Upload` the resolver is waiting for.
 */
export class MultipartError extends GraphQLError {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message, { extensions: { code: status === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_USER_INPUT, http: { status } } });
  }
}

/**
 * Parses a GraphQL multipart request (operations, map, then the files) with busboy and returns
 * the operations with an `Upload` wherever the map puts a file, as graphql-upload-minimal's
 * `GraphQLUpload` scalar expects.
 *
 * Unlike that package's parser, every error busboy can raise is listened for for as long as the
 * parser lives: busboy reports a malformed part, then "Unexpected end of form" once destroyed, and
 * an unheard second error would be an uncaught exception that ends the process.
 */
export function parseMultipart(req: IncomingMessage, limits: MultipartLimits): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: "utf8",
        limits: { fieldSize: limits.maxFieldSize, fields: 2, fileSize: limits.maxFileSize, files: limits.maxFiles },
      });
    } catch (error) {
      // A missing or malformed boundary.
      reject(new MultipartError(`The multipart body cannot be read: ${(error as Error).message}`));
      req.resume();
      return;
    }

    let failure: MultipartError | undefined;
    let operations: Record<string, unknown> | unknown[] | undefined;
    let uploads: Map<string, PendingUpload> | undefined;
    const streams = new Set<Readable>();

    const fail = (error: MultipartError) => {
      if (failure) return;
      failure = error;
      reject(error);
      for (const stream of streams) if (!stream.destroyed) stream.destroy(error);
      if (uploads) for (const upload of uploads.values()) if (!upload.file) upload.reject(error);
      req.unpipe(parser);
      parser.destroy();
      // The rest of the body is read and dropped, so the connection can serve the next request.
      setImmediate(() => req.resume());
    };
    parser.on("error", (error: Error) => fail(new MultipartError(`The multipart body is malformed: ${error.message}`)));

    parser.on("field", (name, value, info) => {
      if (failure) return;
      if (info.valueTruncated) return fail(new MultipartError(`The '${name}' field is larger than ${limits.maxFieldSize} bytes`, 413));
      if (name === "operations") {
        const parsed = parseJson(value);
        if (parsed === undefined || typeof parsed !== "object" || parsed === null) {
          return fail(new MultipartError(`The 'operations' field must hold a JSON object or array (${SPEC})`));
        }
        operations = parsed as Record<string, unknown>;
      } else if (name === "map") {
        if (!operations) return fail(new MultipartError(`The 'map' field must follow 'operations' (${SPEC})`));
        const map = parseJson(value);
        if (!isPlainObject(map)) return fail(new MultipartError(`The 'map' field must hold a JSON object (${SPEC})`));
        const entries = Object.entries(map);
        if (entries.length > limits.maxFiles) return fail(new MultipartError(`At most ${limits.maxFiles} file may be uploaded per request`, 413));
        uploads = new Map();
        for (const [fileName, paths] of entries) {
          if (!Array.isArray(paths) || paths.length === 0) return fail(new MultipartError(`The map entry '${fileName}' must be a list of paths (${SPEC})`));
          const upload = new Upload() as PendingUpload;
          uploads.set(fileName, upload);
          for (const path of paths) {
            if (!placeAt(operations, path, upload)) return fail(new MultipartError(`The map path '${String(path).slice(0, 100)}' is not in the operations (${SPEC})`));
          }
        }
        resolve(operations);
      }
    });

    parser.on("file", (name, stream, info) => {
      streams.add(stream);
      // A stream nobody reads (an extra file, or one after a failure) is drained and its errors ignored.
      stream.on("error", () => undefined);
      const upload = uploads?.get(name);
      if (failure || !upload) {
        stream.resume();
        if (!failure && !uploads) fail(new MultipartError(`Files must follow the 'map' field (${SPEC})`));
        return;
      }
      let fileError: Error | undefined;
      stream.on("limit", () => {
        fileError = new MultipartError(`The file is larger than the ${limits.maxFileSize} bytes allowed`, 413);
      });
      stream.on("error", (error: Error) => {
        fileError = error;
      });
      let handedOut = false;
      const file: FileUpload = {
        fieldName: name,
        filename: info.filename ?? "",
        mimetype: info.mimeType,
        encoding: info.encoding,
        createReadStream: () => {
          if (fileError) throw fileError;
          if (handedOut) throw new MultipartError("An uploaded file can be read only once");
          handedOut = true;
          return stream as ReturnType<FileUpload["createReadStream"]>;
        },
      };
      upload.resolve(file);
    });

    parser.on("filesLimit", () => fail(new MultipartError(`At most ${limits.maxFiles} file may be uploaded per request`, 413)));
    parser.on("fieldsLimit", () => fail(new MultipartError(`Only the 'operations' and 'map' fields are accepted (${SPEC})`)));

    parser.on("close", () => {
      if (failure) return;
      if (!operations) return fail(new MultipartError(`The 'operations' field is missing (${SPEC})`));
      if (!uploads) return fail(new MultipartError(`The 'map' field is missing (${SPEC})`));
      for (const upload of uploads.values()) if (!upload.file) upload.reject(new MultipartError("A file named in the map is missing from the request"));
    });

    req.once("close", () => {
      if (!req.readableEnded) fail(new MultipartError("The request ended before its body did (the upload was cut off)"));
    });
    req.pipe(parser);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Puts `value` at a dotted path (`variables.file`, `0.variables.files.1`) through the operations'
 * own properties only, and as an own property: a path through `__proto__` reaches nothing.
 */
function placeAt(root: object, path: unknown, value: unknown): boolean {
  if (typeof path !== "string" || !path) return false;
  const keys = path.split(".");
  const last = keys.pop()!;
  let target: unknown = root;
  for (const key of keys) {
    if (typeof target !== "object" || target === null || !Object.hasOwn(target, key)) return false;
    target = (target as Record<string, unknown>)[key];
  }
  if (typeof target !== "object" || target === null || !last) return false;
  Object.defineProperty(target, last, { value, writable: true, enumerable: true, configurable: true });
  return true;
}

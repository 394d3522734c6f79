import { MongoBulkWriteError, MongoClientBulkWriteError, MongoError, MongoOperationTimeoutError, MongoServerError } from "mongodb";
import { compareNumbers, show } from "./bson-values";
import { match, type MatchContext } from "./match";
import { clientBulkWriteResultDocument } from "./operations/client-bulk-write";
import { bulkWriteResultDocument } from "./operations/collection";
import type { ExpectedError } from "./spec-files";

/** One line naming an error the way a reader needs it: class, code, codeName, message. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-error thrown: ${show(error)}`;
  const { code, codeName } = error as { code?: unknown; codeName?: unknown };
  const codes = [code !== undefined ? `code ${code}` : "", codeName ? String(codeName) : ""].filter(Boolean).join(" ");
  return `${error.name}${codes ? ` (${codes})` : ""}: ${error.message}`;
}

interface ServerErrorParts {
  code?: unknown;
  codeName?: unknown;
  message: string;
}

/** The server errors a thrown error aggregates: itself, and each write error of a bulk write. */
function aggregatedErrors(error: MongoError): ServerErrorParts[] {
  const parts: ServerErrorParts[] = [error as ServerErrorParts];
  if (error instanceof MongoClientBulkWriteError) {
    for (const writeError of error.writeErrors.values()) parts.push({ code: writeError.code, message: writeError.message });
    for (const concernError of error.writeConcernErrors) parts.push({ code: concernError.code, message: concernError.message });
    if (error.cause instanceof MongoError) parts.push(...aggregatedErrors(error.cause));
  }
  if (error instanceof MongoBulkWriteError) {
    const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
    for (const writeError of writeErrors) {
      const raw = writeError.err as { codeName?: unknown };
      parts.push({ code: writeError.code, codeName: raw.codeName, message: writeError.errmsg ?? "" });
    }
    if (error.err) parts.push({ code: error.err.code, message: error.err.errmsg ?? "" });
  }
  return parts;
}

/** Checks a thrown error against an expectedError; returns undefined when every assertion holds. */
export function checkError(expected: ExpectedError, error: unknown, context: MatchContext): string | undefined {
  if (!(error instanceof MongoError)) return `expected a driver error, got ${describeError(error)}`;
  const got = `, got ${describeError(error)}`;
  const isServerError = error instanceof MongoServerError;
  if (expected.isClientError === true && isServerError) return `expected a client-side error${got}`;
  if (expected.isClientError === false && !isServerError) return `expected a server error${got}`;
  const isTimeout = error instanceof MongoOperationTimeoutError;
  if (expected.isTimeoutError !== undefined && expected.isTimeoutError !== isTimeout) {
    return `expected ${expected.isTimeoutError ? "a" : "no"} timeout error${got}`;
  }
  const parts = aggregatedErrors(error);
  if (expected.errorContains !== undefined) {
    const needle = expected.errorContains.toLowerCase();
    if (!parts.some((p) => p.message.toLowerCase().includes(needle))) return `expected message containing "${expected.errorContains}"${got}`;
  }
  // Only errorContains and errorCodeName look into the aggregated errors of a bulk write; the
  // code is the one of the error itself (for a bulk write, its first write error's).
  const { code } = error as { code?: unknown };
  if (expected.errorCode !== undefined && (code === undefined || compareNumbers(code, expected.errorCode) !== 0)) {
    return `expected error code ${expected.errorCode}${got}`;
  }
  if (expected.errorCodeName !== undefined) {
    const name = expected.errorCodeName.toLowerCase();
    if (!parts.some((p) => typeof p.codeName === "string" && p.codeName.toLowerCase() === name)) {
      return `expected codeName ${expected.errorCodeName}${got}`;
    }
  }
  for (const label of expected.errorLabelsContain ?? []) {
    if (!error.hasErrorLabel(label)) return `expected error label ${label}${got} [labels: ${error.errorLabels.join(", ")}]`;
  }
  for (const label of expected.errorLabelsOmit ?? []) {
    if (error.hasErrorLabel(label)) return `expected no error label ${label}${got}`;
  }
  const clientBulkWriteFailure = checkClientBulkWriteErrors(expected, error, context);
  if (clientBulkWriteFailure) return clientBulkWriteFailure;
  if (expected.errorResponse !== undefined) {
    const response = isServerError ? error.errorResponse : undefined;
    const failure = match(expected.errorResponse, response, { root: true, path: "errorResponse", context });
    if (failure) return failure;
  }
  if (expected.expectResult !== undefined) {
    const result =
      error instanceof MongoBulkWriteError
        ? bulkWriteResultDocument(error.result)
        : error instanceof MongoClientBulkWriteError
          ? clientBulkWriteResultDocument(error.partialResult)
          : undefined;
    const failure = match(expected.expectResult, result, { root: true, path: "error result", context });
    if (failure) return failure;
  }
  return undefined;
}

/**
 * writeErrors (indexes of the failed models to their errors: exactly those indexes) and
 * writeConcernErrors, which only a client bulk write error carries.
 */
function checkClientBulkWriteErrors(expected: ExpectedError, error: MongoError, context: MatchContext): string | undefined {
  if (expected.writeErrors === undefined && expected.writeConcernErrors === undefined) return undefined;
  if (!(error instanceof MongoClientBulkWriteError)) return `expected a client bulk write error, got ${describeError(error)}`;
  if (expected.writeErrors !== undefined) {
    const actual = Object.fromEntries(error.writeErrors);
    const wanted = Object.keys(expected.writeErrors).sort().join(", ");
    const got = Object.keys(actual).sort().join(", ");
    if (wanted !== got) return `expected write errors at [${wanted}], got them at [${got}]`;
    // Each write error is a root-level document: details the test does not name may be there.
    for (const [index, wanted] of Object.entries(expected.writeErrors)) {
      const failure = match(wanted, actual[index], { root: true, path: `writeErrors.${index}`, context });
      if (failure) return failure;
    }
  }
  if (expected.writeConcernErrors !== undefined) {
    return match(expected.writeConcernErrors, error.writeConcernErrors, { path: "writeConcernErrors", context });
  }
  return undefined;
}

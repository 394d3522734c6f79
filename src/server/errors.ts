import { unwrapResolverError } from "@apollo/server/errors";
import type { ValidationError } from "class-validator";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { isDatabaseUnavailable } from "../infra/db";
import { DATABASE_UNAVAILABLE_MESSAGE, ErrorCode, type FieldError } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { isInvalidIdError } from "../lib/scalars";

const MASKED_MESSAGE = "Internal server error";

/** Errors nobody raised on purpose (bugs, driver failures): masked in responses, logged with their stack. */
export function isUnexpected(error: unknown): boolean {
  return !(unwrapResolverError(error) instanceof GraphQLError);
}

/** What a client sees of an error, over HTTP and websockets alike. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { locations, path } = formatted;
  if (original instanceof ArgumentValidationError) {
    const fields = fieldErrors(original.extensions.validationErrors);
    return { message: "Invalid input", locations, path, extensions: { code: ErrorCode.BAD_USER_INPUT, fields } };
  }
  if (isDatabaseUnavailable(original)) {
    return { message: DATABASE_UNAVAILABLE_MESSAGE, locations, path, extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };
  }
  // graphql-js reports a malformed id literal as a validation failure, and one in a variable
  // without a code: either way it is the client's input.
  if (isInvalidIdError(original)) {
    return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
  }
  if (!(original instanceof GraphQLError)) {
    return { message: MASKED_MESSAGE, locations, path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  return formatted;
}

export function logUnexpected(log: Logger, errors: readonly GraphQLError[]): void {
  for (const error of errors) {
    const original = unwrapResolverError(error);
    // An outage is not a bug: one line naming the cause, no stack.
    if (isDatabaseUnavailable(original)) log.warn({ cause: (original as Error).message, path: error.path }, "database unavailable");
    else if (isUnexpected(error)) log.error({ err: original, path: error.path }, "unexpected error");
  }
}

/** The request id lets a user's bug report lead to the logged stack. */
export function withRequestId(error: GraphQLFormattedError, requestId: string): GraphQLFormattedError {
  return error.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR
    ? { ...error, extensions: { ...error.extensions, requestId } }
    : error;
}

function fieldErrors(errors: ValidationError[], prefix = ""): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix + error.property;
    // One message per field: a blank name breaks both "not blank" and "at least 1 character", and
    // saying it twice helps no one. The first is the rule written closest to the field's type
    // (class-validator lists decorators from the bottom up), the most specific one.
    const first = Object.values(error.constraints ?? {})[0];
    const own = first === undefined ? [] : [{ field, message: first }];
    return [...own, ...fieldErrors(error.children ?? [], `${field}.`)];
  });
}

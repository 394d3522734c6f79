import { GraphQLError } from "graphql";

/** Every `extensions.code` a client can receive; clients branch on these, never on messages. */
export const ErrorCode = {
  UNAUTHENTICATED: "UNAUTHENTICATED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  BAD_USER_INPUT: "BAD_USER_INPUT",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "RATE_LIMITED",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  /** The answer would be larger than GRAPHQL_MAX_RESPONSE_BYTES; ask for less. */
  RESPONSE_TOO_LARGE: "RESPONSE_TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  AI_UNAVAILABLE: "AI_UNAVAILABLE",
  /** The database, or a sign-in provider, cannot be reached right now; retrying later may succeed (REST: 503). */
  SERVICE_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL_SERVER_ERROR: "INTERNAL_SERVER_ERROR",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One input field that failed validation, as clients receive it in `extensions.fields`. */
export interface FieldError {
  /** Dotted path from the argument, e.g. `input.email`. */
  field: string;
  message: string;
}

export interface ErrorDetails {
  /** For BAD_USER_INPUT: which fields failed and why. */
  fields?: FieldError[];
  /** Anything else a client can act on (e.g. `retryAfterSeconds`). */
  [key: string]: unknown;
}

/** The one way services and resolvers fail on purpose: `raise("NOT_FOUND", "Course not found")`. */
export function raise(code: ErrorCode, message: string, details: ErrorDetails = {}): never {
  throw new GraphQLError(message, { extensions: { ...details, code } });
}

/** What clients are told while the database cannot be reached (the cause goes to the log only). */
export const DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable; try again shortly";

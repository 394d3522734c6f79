import { GoogleGenerativeAIError, GoogleGenerativeAIFetchError } from "@google/generative-ai";
import { GraphQLError } from "graphql";
import type { ErrorCode, ErrorDetails } from "../../../lib/errors";

/** Why a Gemini call failed, as the caller will see it, and whether trying again may help. */
export interface Failure {
  code: Extract<ErrorCode, "AI_UNAVAILABLE" | "BAD_USER_INPUT">;
  message: string;
  details: ErrorDetails;
  retryable: boolean;
  /** The server's own wait hint (google.rpc.RetryInfo), when it sent one. */
  retryAfterMs?: number;
}

const RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
// Gemini answers 400 INVALID_ARGUMENT for both our mistakes and inputs over the model's limit.
const INPUT_TOO_LONG = /exceeds the maximum number of tokens|input token count|too long/i;

export function unavailable(message: string, details: ErrorDetails = {}, retryable = false): Failure {
  return { code: "AI_UNAVAILABLE", message, details: { provider: "gemini", ...details }, retryable };
}

/**
 * Classifies an error thrown by the SDK; `timedOut` says the per-call deadline aborted it.
 * Undefined for errors that are not about Gemini at all (bugs): those go up unchanged.
 */
export function classifyError(error: unknown, timedOut: boolean, timeoutMs: number): Failure | undefined {
  if (timedOut) {
    return unavailable(`The AI service did not answer within ${timeoutMs / 1000}s`, { reason: "TIMEOUT" }, true);
  }
  if (error instanceof GoogleGenerativeAIFetchError && error.status !== undefined) {
    const status = error.status;
    if (status === 429) {
      return { ...unavailable("The AI service is busy (rate limited)", { reason: "RATE_LIMITED", status }, true), retryAfterMs: retryDelayMs(error) };
    }
    if (RETRYABLE_STATUSES.has(status)) {
      return { ...unavailable(`The AI service failed (HTTP ${status})`, { reason: "SERVER_ERROR", status }, true), retryAfterMs: retryDelayMs(error) };
    }
    if (status === 400 && INPUT_TOO_LONG.test(error.message)) {
      return { code: "BAD_USER_INPUT", message: "The text is too long for the AI model", details: { provider: "gemini", status }, retryable: false };
    }
    return unavailable(`The AI service rejected the request (HTTP ${status})`, { reason: "REJECTED", status });
  }
  // By name: fetch's Response.json() may throw another realm's SyntaxError.
  if ((error as Error | undefined)?.name === "SyntaxError") {
    // A body that is not JSON: a proxy's error page or a cut-off response; another try may do.
    return unavailable("The AI service sent an unreadable response", { reason: "BAD_RESPONSE" }, true);
  }
  if (error instanceof GoogleGenerativeAIError) {
    // Connection refused or reset, DNS failure, a stream cut off: the network, worth another try.
    return unavailable("The AI service could not be reached", { reason: "NETWORK" }, true);
  }
  return undefined;
}

/**
 * `retryDelay` of a RetryInfo detail, e.g. "37s" or "0.250s": how Google says how long to wait.
 * The SDK hands over the error body but not the response headers, so a Retry-After header
 * cannot be read here; Google sends the same delay in RetryInfo.
 */
function retryDelayMs(error: GoogleGenerativeAIFetchError): number | undefined {
  const details = (error.errorDetails ?? []) as { "@type"?: string; retryDelay?: string }[];
  const delay = details.find((detail) => detail["@type"] === RETRY_INFO)?.retryDelay;
  const seconds = delay?.match(/^(\d+(?:\.\d+)?)s$/)?.[1];
  return seconds === undefined ? undefined : Math.round(Number(seconds) * 1000);
}

/** The error a caller of the provider receives, shaped as `raise` shapes it. */
export function toGraphQLError(failure: Failure): GraphQLError {
  return new GraphQLError(failure.message, { extensions: { ...failure.details, code: failure.code } });
}

export function fail(failure: Failure): never {
  throw toGraphQLError(failure);
}

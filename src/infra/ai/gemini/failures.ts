import { GoogleGenerativeAIError, GoogleGenerativeAIFetchError } from "@google/generative-ai";
import type { ErrorDetails } from "../../../lib/errors";
import { statusFailure, timedOut as deadlinePassed, unavailable as failure, unreachable, unreadable, type Failure } from "../failures";

const RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo";
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
// Gemini answers 400 INVALID_ARGUMENT for both our mistakes and inputs over the model's limit.
const INPUT_TOO_LONG = /exceeds the maximum number of tokens|input token count|too long/i;

export function unavailable(message: string, details: ErrorDetails = {}, retryable = false): Failure {
  return failure("gemini", message, details, retryable);
}

/** A `ClassifyError` for the Gemini SDK's errors, given the per-call deadline. */
export const classifyError = (timeoutMs: number) => (error: unknown, timedOut: boolean): Failure | undefined => {
  if (timedOut) return deadlinePassed("gemini", timeoutMs);
  if (error instanceof GoogleGenerativeAIFetchError && error.status !== undefined) {
    const status = error.status;
    return statusFailure("gemini", status, {
      retryable: RETRYABLE_STATUSES.has(status),
      inputTooLong: status === 400 && INPUT_TOO_LONG.test(error.message),
      retryAfterMs: retryDelayMs(error),
    });
  }
  // By name: fetch's Response.json() may throw another realm's SyntaxError.
  if ((error as Error | undefined)?.name === "SyntaxError") return unreadable("gemini");
  if (error instanceof GoogleGenerativeAIError) return unreachable("gemini");
  return undefined;
};

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

import { APIConnectionError, APIError, APIUserAbortError } from "openai";
import type { ErrorDetails } from "../../../lib/errors";
import { statusFailure, timedOut as deadlinePassed, unavailable as failure, unreachable, unreadable, type ClassifyError, type Failure } from "../failures";

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
// Each server words it its own way: OpenAI "maximum context length", llama.cpp "exceeds the available context size",
// Ollama and vLLM "too long" / "exceeds".
const INPUT_TOO_LONG = /context length|context size|context window|too long|too many tokens/i;

export function unavailable(message: string, details: ErrorDetails = {}, retryable = false): Failure {
  return failure("openai", message, details, retryable);
}

/** A `ClassifyError` for the openai SDK's errors, given the per-call deadline. */
export const classifyError =
  (timeoutMs: number): ClassifyError =>
  (error, timedOut) => {
    if (timedOut) return deadlinePassed("openai", timeoutMs);
    if (error instanceof APIUserAbortError) return undefined;
    if (error instanceof APIConnectionError) return unreachable("openai");
    if (error instanceof APIError) {
      const status = error.status;
      // An error event inside a stream, without an HTTP status of its own.
      if (status === undefined) return unavailable(`The AI service failed: ${error.message}`, { reason: "SERVER_ERROR" }, true);
      if (status === 404) {
        return unavailable("The AI service does not serve this model (HTTP 404); check OPENAI_MODEL and OPENAI_EMBEDDING_MODEL", { reason: "REJECTED", status });
      }
      return statusFailure("openai", status, {
        retryable: RETRYABLE_STATUSES.has(status),
        inputTooLong: (status === 400 || status === 413) && INPUT_TOO_LONG.test(error.message),
        retryAfterMs: retryAfterMs(error.headers),
      });
    }
    // By name: a body that is not JSON may throw another realm's SyntaxError.
    if ((error as Error | undefined)?.name === "SyntaxError") return unreadable("openai");
    // fetch's body reader fails with "terminated" when the connection drops mid-response (by name: another realm's TypeError).
    if ((error as Error | undefined)?.name === "TypeError" && /terminated|fetch failed|socket/i.test((error as Error).message)) {
      return unreachable("openai");
    }
    return undefined;
  };

/** `retry-after-ms` (OpenAI's), else `Retry-After` in seconds or as an HTTP date. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get("retry-after-ms") ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

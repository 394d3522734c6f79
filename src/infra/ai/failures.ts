import { GraphQLError } from "graphql";
import type { ErrorCode, ErrorDetails } from "../../lib/errors";
import type { AiProviderName } from "./provider";

/** Why a model call failed, as the caller will see it, and whether trying again may help. */
export interface Failure {
  code: Extract<ErrorCode, "AI_UNAVAILABLE" | "BAD_USER_INPUT">;
  message: string;
  details: ErrorDetails;
  retryable: boolean;
  /** The server's own wait hint (Retry-After, RetryInfo), when it sent one. */
  retryAfterMs?: number;
}

/**
 * Reads an error thrown by a provider's SDK; `timedOut` says the per-call deadline aborted it.
 * Undefined for errors that are not about the model service at all (bugs): those go up unchanged.
 */
export type ClassifyError = (error: unknown, timedOut: boolean) => Failure | undefined;

export function unavailable(provider: AiProviderName, message: string, details: ErrorDetails = {}, retryable = false): Failure {
  return { code: "AI_UNAVAILABLE", message, details: { provider, ...details }, retryable };
}

export function timedOut(provider: AiProviderName, timeoutMs: number): Failure {
  return unavailable(provider, `The AI service did not answer within ${timeoutMs / 1000}s`, { reason: "TIMEOUT" }, true);
}

/**
 * What an HTTP error status from the service means, in the same words for every provider; whether
 * the status is worth another try and whether it says the input is too long are the provider's reading.
 */
export function statusFailure(
  provider: AiProviderName,
  status: number,
  reading: { retryable: boolean; inputTooLong: boolean; retryAfterMs?: number },
): Failure {
  if (status === 429) {
    return { ...unavailable(provider, "The AI service is busy (rate limited)", { reason: "RATE_LIMITED", status }, true), retryAfterMs: reading.retryAfterMs };
  }
  if (reading.retryable) {
    return { ...unavailable(provider, `The AI service failed (HTTP ${status})`, { reason: "SERVER_ERROR", status }, true), retryAfterMs: reading.retryAfterMs };
  }
  if (reading.inputTooLong) {
    return { code: "BAD_USER_INPUT", message: "The text is too long for the AI model", details: { provider, status }, retryable: false };
  }
  return unavailable(provider, `The AI service rejected the request (HTTP ${status})`, { reason: "REJECTED", status });
}

/** Connection refused or reset, DNS failure, a stream cut off: the network, worth another try. */
export function unreachable(provider: AiProviderName): Failure {
  return unavailable(provider, "The AI service could not be reached", { reason: "NETWORK" }, true);
}

/** A body that is not JSON: a proxy's error page or a cut-off response; another try may do. */
export function unreadable(provider: AiProviderName): Failure {
  return unavailable(provider, "The AI service sent an unreadable response", { reason: "BAD_RESPONSE" }, true);
}

/** The error a caller of the provider receives, shaped as `raise` shapes it. */
export function toGraphQLError(failure: Failure): GraphQLError {
  return new GraphQLError(failure.message, { extensions: { ...failure.details, code: failure.code } });
}

export function fail(failure: Failure): never {
  throw toGraphQLError(failure);
}

export function failEmpty(provider: AiProviderName): never {
  return fail(unavailable(provider, "The AI service returned an empty answer", { reason: "EMPTY" }));
}

/**
 * What a stream's consumer receives when it fails: the caller's own abort reason, or the
 * classified failure. Mid-stream failures are not retried: the consumer already has part of the answer.
 */
export function streamFailure(
  error: unknown,
  state: { callerSignal?: AbortSignal; idle: AbortSignal; wrote: boolean; classify: ClassifyError },
): unknown {
  if (state.callerSignal?.aborted) return state.callerSignal.reason;
  if (error instanceof GraphQLError) return error;
  const failure = state.classify(error, state.idle.aborted);
  if (!failure) return error;
  return toGraphQLError(state.wrote ? { ...failure, message: "The AI service stopped in the middle of its answer" } : failure);
}

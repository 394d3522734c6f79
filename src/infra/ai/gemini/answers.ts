import { FinishReason, type GenerateContentResponse } from "@google/generative-ai";
import type { TokenUsage } from "../provider";
import { fail, failEmpty } from "../failures";
import { unavailable } from "./failures";

// A candidate that ended for one of these carries no usable answer, even if some text came first.
const BLOCKING_FINISH_REASONS = new Set<string>([
  FinishReason.SAFETY,
  FinishReason.RECITATION,
  FinishReason.LANGUAGE,
  FinishReason.BLOCKLIST,
  FinishReason.PROHIBITED_CONTENT,
  FinishReason.SPII,
]);

/** Throws a clear AI_UNAVAILABLE when the prompt or the answer was blocked. */
export function assertNotBlocked(response: GenerateContentResponse): void {
  const blockReason = response.promptFeedback?.blockReason;
  if (blockReason) {
    fail(unavailable(`The AI service refused the request (blocked: ${blockReason})`, { reason: "BLOCKED", blockReason }));
  }
  const finishReason = response.candidates?.[0]?.finishReason;
  if (finishReason && BLOCKING_FINISH_REASONS.has(finishReason)) {
    fail(unavailable(`The AI service withheld its answer (${finishReason})`, { reason: "BLOCKED", finishReason }));
  }
}

/** The text of the first candidate of one response or stream chunk; may be empty. */
export function chunkText(response: GenerateContentResponse): string {
  assertNotBlocked(response);
  return (response.candidates?.[0]?.content?.parts ?? []).map((part) => part.text ?? "").join("");
}

/** The whole answer's text; an answer without any is an error, not an empty string. */
export function answerText(response: GenerateContentResponse): string {
  const text = chunkText(response);
  if (!text.trim()) failEmpty("gemini");
  return text;
}

/** Thinking models bill their thoughts as output, so they count as output tokens. */
export function usageOf(response: GenerateContentResponse): TokenUsage {
  const usage = response.usageMetadata as (GenerateContentResponse["usageMetadata"] & { thoughtsTokenCount?: number }) | undefined;
  if (!usage) return {};
  return {
    inputTokens: usage.promptTokenCount,
    outputTokens: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0),
  };
}

import type { z } from "zod";
import type { PromptTask } from "./tasks";

/** What a call is for; usage is accounted per purpose. */
export type AiPurpose = "outline" | "quiz" | "flashcards" | "chat" | "embedding";

export type AiProviderName = "gemini" | "openai" | "offline";

/** Retrieval embeddings are asymmetric for some models: passages and questions are embedded differently. */
export type EmbedKind = "document" | "query";

/**
 * A prompt as every provider receives it: Gemini reads `system` and `text`, the offline provider
 * works from the structured `task` (it cannot read instructions). Built only by `prompts.ts`.
 */
export interface Prompt<T extends PromptTask = PromptTask> {
  purpose: AiPurpose;
  system: string;
  text: string;
  task: T;
}

/** A prompt whose answer is a JSON value checked against `schema`. */
export interface JsonPrompt<Value, T extends PromptTask = PromptTask> extends Prompt<T> {
  schema: z.ZodType<Value>;
}

export interface CallOptions {
  /** Whose request this is, for usage accounting. */
  userId?: string;
  /** Cancels the call; the provider rejects with the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
}

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
}

interface Answer {
  provider: AiProviderName;
  model: string;
  usage: TokenUsage;
}

export interface TextAnswer extends Answer {
  text: string;
}

export interface JsonAnswer<Value> extends Answer {
  value: Value;
  /** The model's first answer was not valid and had to be repaired. */
  repaired: boolean;
}

/** Text deltas in order; iterate once. */
export interface TextStream extends AsyncIterable<string> {
  readonly provider: AiProviderName;
  readonly model: string;
  /** Token counts, known once the stream has ended (always empty for the offline provider). */
  readonly usage: TokenUsage;
}

export interface AiCheck {
  status: "healthy" | "unhealthy";
  provider: AiProviderName;
  /** The model asked, and how long it took, where a remote model was asked. */
  model?: string;
  latencyMs?: number;
  error?: string;
}

/**
 * The one interface services use to reach a language model. Failures are GraphQL errors with
 * code AI_UNAVAILABLE (the service cannot answer now) or BAD_USER_INPUT (the input cannot be
 * worked with), so services may let them through to clients.
 */
export interface AiProvider {
  readonly name: AiProviderName;
  /** The text model's name, stored with what it wrote. */
  readonly model: string;
  /**
   * Names the embedding space (provider, model, and dimensions where configuration sets them):
   * vectors with different ids must never be compared, so stored embeddings carry it.
   */
  readonly embeddingModelId: string;

  generateText(prompt: Prompt, options?: CallOptions): Promise<TextAnswer>;
  /** Text deltas in order. Breaking out of the loop or aborting the signal cancels the request. */
  streamText(prompt: Prompt, options?: CallOptions): TextStream;
  /** The answer parsed and validated; an invalid answer gets one repair attempt. */
  generateJson<Value>(prompt: JsonPrompt<Value>, options?: CallOptions): Promise<JsonAnswer<Value>>;
  /** One unit-length vector of `embeddingDimensions()` numbers per text, in order. */
  embed(texts: string[], kind: EmbedKind, options?: CallOptions): Promise<number[][]>;
  /**
   * The size of every vector `embed` returns. Configuration sets it for Gemini and offline; the
   * OpenAI-compatible provider learns it from its model's first answer (asking once if needed).
   */
  embeddingDimensions(options?: CallOptions): Promise<number>;
  /** Whether the provider answers; cheap (spends no generation tokens), never throws. */
  check(): Promise<AiCheck>;
}

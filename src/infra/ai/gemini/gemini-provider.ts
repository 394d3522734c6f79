import {
  GoogleGenerativeAI,
  TaskType,
  type EmbedContentRequest,
  type GenerateContentResponse,
  type GenerationConfig,
  type RequestOptions,
} from "@google/generative-ai";
import type { Logger } from "../../../lib/logger";
import { fail, type ClassifyError } from "../failures";
import { answerJson } from "../json-answer";
import type {
  AiCheck,
  AiProvider,
  AiPurpose,
  CallOptions,
  EmbedKind,
  JsonAnswer,
  JsonPrompt,
  Prompt,
  TextAnswer,
  TextStream,
} from "../provider";
import type { ProviderDeps } from "../provider-deps";
import { streamAnswer } from "../stream-frame";
import { normalize } from "../vectors";
import { metered, type MeterTarget } from "../usage/meter";
import { withRetries, type RetryPolicy } from "../retry";
import { answerText, chunkText, usageOf } from "./answers";
import { classifyError, unavailable } from "./failures";
import { toResponseSchema } from "./response-schema";

export interface GeminiSettings {
  apiKey: string;
  model: string;
  embeddingModel: string;
  dimensions: number;
  /** Another endpoint than Google's (a proxy, or the fake server in tests). */
  baseUrl?: string;
  retry: RetryPolicy;
}

// The API takes at most 100 texts per batchEmbedContents request.
const EMBED_BATCH_SIZE = 100;

// outputDimensionality is accepted by the API but missing from the SDK's request type.
type SizedEmbedRequest = EmbedContentRequest & { outputDimensionality: number };

/** Gemini through the official SDK, with retries, deadlines, block handling and usage records. */
export class GeminiProvider implements AiProvider {
  readonly name = "gemini" as const;
  readonly model: string;
  readonly embeddingModelId: string;
  readonly dimensions: number;
  private readonly client: GoogleGenerativeAI;
  private readonly requestOptions: RequestOptions;
  private readonly log: Logger;
  private readonly classify: ClassifyError;

  constructor(
    private readonly settings: GeminiSettings,
    private readonly deps: ProviderDeps,
  ) {
    this.model = settings.model;
    this.dimensions = settings.dimensions;
    this.embeddingModelId = `gemini/${settings.embeddingModel}/${settings.dimensions}`;
    this.client = new GoogleGenerativeAI(settings.apiKey);
    this.requestOptions = settings.baseUrl ? { baseUrl: settings.baseUrl.replace(/\/+$/, "") } : {};
    this.log = deps.log.child({ ai: "gemini" });
    this.classify = classifyError(settings.retry.timeoutMs);
  }

  async embeddingDimensions(): Promise<number> {
    return this.dimensions;
  }

  async generateText(prompt: Prompt, options: CallOptions = {}): Promise<TextAnswer> {
    const { text, usage } = await this.generate(prompt, undefined, options);
    return { text, usage, provider: this.name, model: this.model };
  }

  async generateJson<Value>(prompt: JsonPrompt<Value>, options: CallOptions = {}): Promise<JsonAnswer<Value>> {
    const json: GenerationConfig = { responseMimeType: "application/json", responseSchema: toResponseSchema(prompt.schema) };
    const answer = await answerJson(this.name, prompt, (asked) => this.generate(asked, json, options), this.log);
    return { ...answer, provider: this.name, model: this.model };
  }

  streamText(prompt: Prompt, options: CallOptions = {}): TextStream {
    const deps = { retry: this.settings.retry, classify: this.classify, log: this.log, recorder: this.deps.recorder };
    return streamAnswer(deps, this.target(prompt.purpose), options, {
      open: async (retried) => {
        const model = this.client.getGenerativeModel({ model: this.model, systemInstruction: prompt.system }, this.requestOptions);
        const result = await retried((signal) => model.generateContentStream(prompt.text, { signal }));
        // The SDK also aggregates the stream into `response`; unread, its failure must not go unhandled.
        result.response.catch(() => undefined);
        return result.stream;
      },
      // Usage comes with the last chunk only.
      usage: (chunk) => (chunk.usageMetadata ? usageOf(chunk) : undefined),
      read: (chunk) => ({ text: chunkText(chunk) }),
    });
  }

  async embed(texts: string[], kind: EmbedKind, options: CallOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const model = this.client.getGenerativeModel({ model: this.settings.embeddingModel }, this.requestOptions);
    const taskType = kind === "document" ? TaskType.RETRIEVAL_DOCUMENT : TaskType.RETRIEVAL_QUERY;
    const request = (text: string): SizedEmbedRequest => ({
      content: { role: "user", parts: [{ text }] },
      taskType,
      outputDimensionality: this.dimensions,
    });
    const { vectors } = await metered(this.deps.recorder, this.target("embedding"), options, async () => {
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += EMBED_BATCH_SIZE) {
        const batch = texts.slice(start, start + EMBED_BATCH_SIZE);
        const values = await withRetries(this.settings.retry, this.classify, this.log, options.signal, async (signal) =>
          batch.length === 1
            ? [(await model.embedContent(request(batch[0]), { signal })).embedding.values]
            : (await model.batchEmbedContents({ requests: batch.map(request) }, { signal })).embeddings.map((e) => e.values),
        );
        if (values.length !== batch.length) {
          fail(unavailable(`The AI service returned ${values.length} embeddings for ${batch.length} texts`, { reason: "INVALID_OUTPUT" }));
        }
        vectors.push(...values.map((vector) => this.checkedVector(vector)));
      }
      return { vectors, usage: {} };
    });
    return vectors;
  }

  /** countTokens proves the key, the model and the network, and costs no generation tokens. */
  async check(): Promise<AiCheck> {
    const started = performance.now();
    const base = { provider: this.name, model: this.model };
    try {
      const model = this.client.getGenerativeModel({ model: this.model }, this.requestOptions);
      await withRetries({ ...this.settings.retry, maxRetries: 0 }, this.classify, this.log, undefined, (signal) => model.countTokens("ping", { signal }));
      return { ...base, status: "healthy", latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { ...base, status: "unhealthy", error: (error as Error).message };
    }
  }

  private async generate(prompt: Prompt, generationConfig: GenerationConfig | undefined, options: CallOptions) {
    const model = this.client.getGenerativeModel(
      { model: this.model, systemInstruction: prompt.system, generationConfig },
      this.requestOptions,
    );
    return metered(this.deps.recorder, this.target(prompt.purpose), options, async () => {
      const { response } = await withRetries(this.settings.retry, this.classify, this.log, options.signal, (signal) =>
        model.generateContent(prompt.text, { signal }),
      );
      return { text: answerText(response), usage: usageOf(response as GenerateContentResponse) };
    });
  }

  private checkedVector(values: number[]): number[] {
    if (values.length !== this.dimensions) {
      fail(unavailable(`The AI service returned ${values.length}-dimensional embeddings, expected ${this.dimensions}`, { reason: "INVALID_OUTPUT" }));
    }
    // Gemini only normalizes its full-size vectors; cosine search assumes unit length.
    return normalize(values);
  }

  private target(purpose: AiPurpose): MeterTarget {
    return { provider: this.name, model: purpose === "embedding" ? this.settings.embeddingModel : this.model, purpose };
  }
}

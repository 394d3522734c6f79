import OpenAI from "openai";
import type { Logger } from "../../../lib/logger";
import { fail, failEmpty, type ClassifyError } from "../failures";
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
  TokenUsage,
} from "../provider";
import type { ProviderDeps } from "../provider-deps";
import { withRetries, type RetryPolicy } from "../retry";
import { streamAnswer } from "../stream-frame";
import { metered, type MeterTarget } from "../usage/meter";
import { normalize } from "../vectors";
import { classifyError, unavailable } from "./failures";
import { fallbackFor, jsonRequest, messagesOf, type JsonMode } from "./json-mode";
import { ReasoningFilter, withoutReasoning } from "./reasoning";

export interface OpenAiSettings {
  /** The server's OpenAI-compatible root, e.g. `http://localhost:11434/v1` for Ollama. */
  baseUrl: string;
  /** Where embeddings are asked for, when another server runs the embedding model (llama.cpp runs one model per server). */
  embeddingBaseUrl?: string;
  /** Local servers need none; sent as a bearer token when set. */
  apiKey?: string;
  model: string;
  embeddingModel: string;
  retry: RetryPolicy;
}

// Texts per /embeddings request: local servers embed a batch in one pass, so it is bounded by their memory, not by an API limit.
const EMBED_BATCH_SIZE = 64;
// The text embedded once to learn the vector size when nothing was embedded yet.
const DIMENSIONS_PROBE = "dimensions";

type Completion = Pick<OpenAI.Chat.ChatCompletion, "choices" | "usage">;

/**
 * Any server speaking OpenAI's chat completions and embeddings API (Ollama, llama.cpp's server,
 * vLLM, LM Studio, OpenAI itself) through the official SDK, with the same retries, deadlines and
 * usage records as Gemini. The SDK's own retries are off: `withRetries` decides, for every provider alike.
 */
export class OpenAiProvider implements AiProvider {
  readonly name = "openai" as const;
  readonly model: string;
  /** The model alone fixes the vector size, so the id needs no size (which is only known from an answer). */
  readonly embeddingModelId: string;
  private readonly client: OpenAI;
  private readonly embeddingClient: OpenAI;
  private readonly log: Logger;
  private readonly classify: ClassifyError;
  /** Learned from the first embedding answer; every later vector must have this size. */
  private dimensions?: number;
  /** Dropped to a plainer mode once the server refuses a richer one, for the life of the process. */
  private jsonMode: JsonMode = "json_schema";

  constructor(
    private readonly settings: OpenAiSettings,
    private readonly deps: ProviderDeps,
  ) {
    this.model = settings.model;
    this.embeddingModelId = `openai/${settings.embeddingModel}`;
    this.client = clientFor(settings.baseUrl, settings.apiKey);
    this.embeddingClient = settings.embeddingBaseUrl ? clientFor(settings.embeddingBaseUrl, settings.apiKey) : this.client;
    this.log = deps.log.child({ ai: "openai" });
    this.classify = classifyError(settings.retry.timeoutMs);
  }

  async generateText(prompt: Prompt, options: CallOptions = {}): Promise<TextAnswer> {
    const { text, usage } = await this.complete(prompt.purpose, { messages: messagesOf(prompt.system, prompt.text) }, options);
    return { text, usage, provider: this.name, model: this.model };
  }

  async generateJson<Value>(prompt: JsonPrompt<Value>, options: CallOptions = {}): Promise<JsonAnswer<Value>> {
    const answer = await answerJson(this.name, prompt, (asked) => this.completeJson(asked, options), this.log);
    return { ...answer, provider: this.name, model: this.model };
  }

  streamText(prompt: Prompt, options: CallOptions = {}): TextStream {
    const deps = { retry: this.settings.retry, classify: this.classify, log: this.log, recorder: this.deps.recorder };
    const reasoning = new ReasoningFilter();
    return streamAnswer(deps, this.target(prompt.purpose), options, {
      open: (retried) =>
        retried((signal) =>
          this.client.chat.completions.create(
            {
              model: this.model,
              messages: messagesOf(prompt.system, prompt.text),
              stream: true,
              stream_options: { include_usage: true },
            },
            { signal },
          ),
        ),
      // Usage comes in a last chunk of its own, without choices.
      usage: (chunk) => (chunk.usage ? usageOf(chunk.usage) : undefined),
      read: (chunk) => {
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) checkFinish(choice.finish_reason);
        const text = choice?.delta?.content;
        return { text: text ? reasoning.push(text) : undefined, finished: Boolean(choice?.finish_reason) };
      },
      rest: () => reasoning.end(),
      requireFinish: true,
    });
  }

  /** Documents and queries share one space: OpenAI-compatible servers take no task type. */
  async embed(texts: string[], _kind: EmbedKind, options: CallOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const { vectors } = await metered(this.deps.recorder, this.target("embedding"), options, async () => {
      const vectors: number[][] = [];
      let inputTokens: number | undefined;
      for (let start = 0; start < texts.length; start += EMBED_BATCH_SIZE) {
        const batch = texts.slice(start, start + EMBED_BATCH_SIZE);
        const response = await withRetries(this.settings.retry, this.classify, this.log, options.signal, (signal) =>
          // Floats, not the SDK's default base64, which not every server can encode.
          this.embeddingClient.embeddings.create({ model: this.settings.embeddingModel, input: batch, encoding_format: "float" }, { signal }),
        );
        const data = Array.isArray(response?.data) ? response.data : [];
        if (data.length !== batch.length) {
          fail(unavailable(`The AI service returned ${data.length} embeddings for ${batch.length} texts`, { reason: "INVALID_OUTPUT" }));
        }
        const ordered = data.every((item) => typeof item.index === "number") ? [...data].sort((a, b) => a.index - b.index) : data;
        vectors.push(...ordered.map((item) => this.checkedVector(item.embedding)));
        if (response.usage?.prompt_tokens !== undefined) inputTokens = (inputTokens ?? 0) + response.usage.prompt_tokens;
      }
      return { vectors, usage: { inputTokens } };
    });
    return vectors;
  }

  async embeddingDimensions(options: CallOptions = {}): Promise<number> {
    if (this.dimensions !== undefined) return this.dimensions;
    const [vector] = await this.embed([DIMENSIONS_PROBE], "query", options);
    return vector.length;
  }

  /**
   * Lists the served models (free: no tokens), which proves the address, the key and that both
   * models are there. A server that lists none is taken at its word that it serves what is asked.
   */
  async check(): Promise<AiCheck> {
    const started = performance.now();
    const base = { provider: this.name, model: this.model };
    try {
      const servers =
        this.embeddingClient === this.client
          ? [{ client: this.client, models: [this.model, this.settings.embeddingModel] }]
          : [
              { client: this.client, models: [this.model] },
              { client: this.embeddingClient, models: [this.settings.embeddingModel] },
            ];
      for (const server of servers) {
        const page = await withRetries({ ...this.settings.retry, maxRetries: 0 }, this.classify, this.log, undefined, (signal) =>
          server.client.models.list({ signal }),
        );
        const served = (page.data ?? []).map((model) => model.id);
        const missing = served.length === 0 ? [] : server.models.filter((model) => !isServed(served, model));
        if (missing.length > 0) {
          const listed = served.slice(0, 5).join(", ") + (served.length > 5 ? ", ..." : "");
          return { ...base, status: "unhealthy", error: `The AI service does not serve ${missing.join(" or ")} (it lists ${listed})` };
        }
      }
      return { ...base, status: "healthy", latencyMs: Math.round(performance.now() - started) };
    } catch (error) {
      return { ...base, status: "unhealthy", error: (error as Error).message };
    }
  }

  /** One JSON answer in the best mode the server accepts, remembering a mode it refused. */
  private async completeJson(prompt: JsonPrompt<unknown>, options: CallOptions): Promise<{ text: string; usage: TokenUsage }> {
    for (;;) {
      const mode = this.jsonMode;
      try {
        return await this.complete(prompt.purpose, jsonRequest(prompt, mode), options);
      } catch (error) {
        const next = fallbackFor(mode, error);
        if (!next) throw error;
        this.log.warn({ refused: mode, next }, "ai: the server refused this JSON response format, using a plainer one");
        this.jsonMode = next;
      }
    }
  }

  private complete(
    purpose: AiPurpose,
    request: Pick<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, "messages" | "response_format">,
    options: CallOptions,
  ): Promise<{ text: string; usage: TokenUsage }> {
    return metered(this.deps.recorder, this.target(purpose), options, async () => {
      const completion: Completion = await withRetries(this.settings.retry, this.classify, this.log, options.signal, async (signal) => {
        const answer = await this.client.chat.completions.create({ model: this.model, ...request }, { signal });
        // A proxy's HTML page parses as a string, not as an error.
        if (!Array.isArray((answer as Partial<Completion> | undefined)?.choices)) throw new SyntaxError("not a chat completion");
        return answer;
      });
      const choice = completion.choices[0];
      if (choice?.finish_reason) checkFinish(choice.finish_reason);
      const text = withoutReasoning(choice?.message?.content ?? "");
      if (!text.trim()) failEmpty(this.name);
      return { text, usage: completion.usage ? usageOf(completion.usage) : {} };
    });
  }

  private checkedVector(values: unknown): number[] {
    if (!Array.isArray(values) || values.length === 0 || !values.every((value) => typeof value === "number" && Number.isFinite(value))) {
      fail(unavailable("The AI service returned an embedding that is not a list of numbers", { reason: "INVALID_OUTPUT" }));
    }
    this.dimensions ??= values.length;
    if (values.length !== this.dimensions) {
      fail(unavailable(`The AI service returned ${values.length}-dimensional embeddings, expected ${this.dimensions}`, { reason: "INVALID_OUTPUT" }));
    }
    // Not every embedding model returns unit vectors; cosine search assumes them.
    return normalize(values as number[]);
  }

  private target(purpose: AiPurpose): MeterTarget {
    return { provider: this.name, model: purpose === "embedding" ? this.settings.embeddingModel : this.model, purpose };
  }
}

/**
 * The SDK would read OPENAI_* variables itself and refuse to start without a key; our
 * configuration decides both instead. Its retries are off (see `withRetries`), and so is its
 * own deadline: each attempt's signal carries ours.
 */
function clientFor(baseURL: string, apiKey: string | undefined): OpenAI {
  return new OpenAI({
    baseURL,
    // The SDK insists on a key; without one, the Authorization header is left out below.
    apiKey: apiKey ?? "unused",
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: 24 * 60 * 60 * 1000,
    // Failures reach our log once, classified, through the provider.
    logLevel: "off",
    ...(!apiKey && { defaultHeaders: { Authorization: null } }),
  });
}

function checkFinish(reason: string): void {
  if (reason === "content_filter") {
    fail(unavailable("The AI service withheld its answer (content_filter)", { reason: "BLOCKED", finishReason: reason }));
  }
}

function usageOf(usage: OpenAI.CompletionUsage): TokenUsage {
  return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
}

/** Ollama lists `name:latest` for a model asked for as `name`. */
function isServed(served: string[], model: string): boolean {
  return served.includes(model) || (!model.includes(":") && served.includes(`${model}:latest`));
}

import { setTimeout as sleep } from "node:timers/promises";
import type { PromptTask } from "../prompts";
import type { AiCheck, AiProvider, AiPurpose, CallOptions, EmbedKind, JsonAnswer, JsonPrompt, Prompt, TextAnswer, TextStream } from "../provider";
import { textStream } from "../text-stream";
import { metered, UsageMeter, type MeterTarget } from "../usage/meter";
import type { AiUsageRecorder } from "../usage/usage-recorder";
import { extractiveAnswer } from "./answer";
import { checkClaimsByOverlap } from "./claims";
import { embedText, OFFLINE_EMBEDDING_MODEL } from "./embedding";
import { extractiveFlashcards } from "./flashcards";
import { gradeByWords } from "./grade";
import { offlineOutline } from "./outline";
import { clozeQuiz } from "./quiz";
import { USE_LITE_DIMENSIONS, USE_LITE_MODEL, UseLiteEmbedder } from "./use-lite";

export const OFFLINE_MODEL = "offline-extractive-v1";

/** `hashed-ngrams`: words, word pairs and character n-grams hashed (instant); `use-lite`: Universal Sentence Encoder Lite (meaning, about 200 ms a passage). */
export type OfflineEmbeddingModel = "hashed-ngrams" | "use-lite";

export interface OfflineSettings {
  /** Vector size of the hashed n-grams; USE-lite's is always 512. */
  dimensions: number;
  /** Default `hashed-ngrams`. */
  embeddingModel?: OfflineEmbeddingModel;
  /** Pause between streamed words, so clients can watch an answer arrive. */
  streamDelayMs: number;
}

/**
 * Works with no key and no network, deterministically: it quotes, restructures and blanks out
 * the material it is given, and never invents facts. Token counts are unknown and not recorded.
 */
export class OfflineProvider implements AiProvider {
  readonly name = "offline" as const;
  readonly model = OFFLINE_MODEL;
  readonly embeddingModelId: string;
  readonly dimensions: number;
  private readonly embeddingModel: string;
  /** Set when the embedding model is USE-lite. */
  private readonly useLite?: UseLiteEmbedder;

  constructor(
    private readonly settings: OfflineSettings,
    private readonly recorder: AiUsageRecorder,
  ) {
    if (settings.embeddingModel === "use-lite") this.useLite = new UseLiteEmbedder();
    this.embeddingModel = this.useLite ? USE_LITE_MODEL : OFFLINE_EMBEDDING_MODEL;
    this.dimensions = this.useLite ? USE_LITE_DIMENSIONS : settings.dimensions;
    this.embeddingModelId = `offline/${this.embeddingModel}/${this.dimensions}`;
  }

  generateText(prompt: Prompt, options: CallOptions = {}): Promise<TextAnswer> {
    return metered(this.recorder, this.target(prompt.purpose), options, async () => {
      options.signal?.throwIfAborted();
      return { text: textFor(prompt.task), usage: {}, provider: this.name, model: this.model };
    });
  }

  streamText(prompt: Prompt, options: CallOptions = {}): TextStream {
    return textStream({ provider: this.name, model: this.model }, () => this.stream(prompt, options));
  }

  private async *stream(prompt: Prompt, options: CallOptions): AsyncGenerator<string> {
    const meter = new UsageMeter(this.recorder, this.target(prompt.purpose), options);
    const { signal } = options;
    try {
      signal?.throwIfAborted();
      for (const piece of textFor(prompt.task).match(/\s*\S+\s*/g) ?? []) {
        if (this.settings.streamDelayMs > 0) {
          await sleep(this.settings.streamDelayMs, undefined, { signal }).catch(() => signal?.throwIfAborted());
        }
        signal?.throwIfAborted();
        yield piece;
      }
      meter.succeeded({});
    } catch (error) {
      meter.failed(error);
      throw error;
    } finally {
      meter.stopped();
    }
  }

  generateJson<Value>(prompt: JsonPrompt<Value>, options: CallOptions = {}): Promise<JsonAnswer<Value>> {
    return metered(this.recorder, this.target(prompt.purpose), options, async () => {
      options.signal?.throwIfAborted();
      // Held to the same schema as Gemini's answers: a mismatch here is a bug, not bad luck.
      const value = prompt.schema.parse(valueFor(prompt.task));
      return { value, repaired: false, usage: {}, provider: this.name, model: this.model };
    });
  }

  /** Queries and documents share one space: lexical overlap is symmetric, and USE-lite takes no task type. */
  async embed(texts: string[], _kind: EmbedKind, options: CallOptions = {}): Promise<number[][]> {
    if (texts.length === 0) return [];
    const { vectors } = await metered(this.recorder, this.target("embedding"), options, async () => {
      options.signal?.throwIfAborted();
      const vectors = this.useLite ? await this.useLite.embed(texts, options.signal) : texts.map((text) => embedText(text, this.dimensions));
      return { vectors, usage: {} };
    });
    return vectors;
  }

  async embeddingDimensions(): Promise<number> {
    return this.dimensions;
  }

  /** Nothing remote to ask: always up. */
  async check(): Promise<AiCheck> {
    return { status: "healthy", provider: this.name };
  }

  private target(purpose: AiPurpose): MeterTarget {
    return { provider: this.name, model: purpose === "embedding" ? this.embeddingModel : this.model, purpose };
  }
}

function valueFor(task: PromptTask): unknown {
  switch (task.kind) {
    case "courseOutline":
      return offlineOutline(task);
    case "quiz":
      return clozeQuiz(task);
    case "tutorAnswer":
      return extractiveAnswer(task);
    case "gradeShortAnswer":
      return gradeByWords(task);
    case "flashcards":
      return extractiveFlashcards(task);
    case "checkClaims":
      return checkClaimsByOverlap(task);
  }
}

/** What a model would write for the task: prose for an answer, JSON for structured tasks. */
function textFor(task: PromptTask): string {
  const value = valueFor(task);
  return typeof value === "string" ? value : JSON.stringify(value);
}

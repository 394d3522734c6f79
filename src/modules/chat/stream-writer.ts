import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";
import { storedSizes } from "../../lib/stored-sizes";
import { ChatMessageModel, ChatMessageStatus, type Citation, type Claim, type Grounding } from "./chat.model";
import type { ChatStreamPayload } from "./chat.events";
import { ChatSessionEventKind } from "./chat.types";

/** While an answer streams, its text so far is saved this often (also proof that its writer is alive). */
export const SAVE_INTERVAL_MS = 5_000;
/** A STREAMING answer not saved for this long has lost its writer (a crashed instance). */
export const ABANDONED_AFTER_MS = SAVE_INTERVAL_MS * 5;

export interface StreamEnd {
  status: Exclude<ChatMessageStatus, ChatMessageStatus.STREAMING>;
  citations: Citation[];
  claims?: Claim[];
  grounding?: Grounding;
  groundingScore?: number;
  /** The answer's final text when it is not what was streamed (STRICT replaced an unsupported answer by the refusal). */
  replacement?: string;
  error?: string;
  provider?: string;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * Publishes one answer's text as it is written. Deltas are gathered for `flushMs` into one
 * event, because every event is executed once per subscriber: fewer, larger events scale further.
 */
export class StreamWriter {
  private seq = 0;
  private text = "";
  private pending = "";
  private flushTimer?: NodeJS.Timeout;
  private readonly saveTimer: NodeJS.Timeout;
  private saving: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: { pubSub: AppPubSub; log: Logger; flushMs: number },
    private readonly ids: { messageId: string; sessionId: string },
  ) {
    this.saveTimer = setInterval(() => this.save(), SAVE_INTERVAL_MS);
    this.saveTimer.unref();
  }

  get written(): string {
    return this.text;
  }

  append(delta: string): void {
    if (!delta) return;
    this.text += delta;
    this.pending += delta;
    if (this.deps.flushMs === 0) this.flush();
    else this.flushTimer ??= setTimeout(() => this.flush(), this.deps.flushMs);
  }

  /** The whole text so far under the current seq, for a subscriber that joined late or missed events. */
  snapshot(): void {
    this.flush();
    this.publish({ seq: this.seq, delta: this.text, done: false, status: ChatMessageStatus.STREAMING, snapshot: true });
  }

  /** Stores the final state, then publishes the last event: whoever sees it can read the stored message. */
  async finish(end: StreamEnd): Promise<void> {
    clearTimeout(this.flushTimer);
    clearInterval(this.saveTimer);
    await this.saving;
    this.seq += 1;
    await storedSizes.note("ChatMessage.content", this.text, end.replacement ?? "");
    const claimCitations = (end.claims ?? []).flatMap((claim) => claim.citations);
    await storedSizes.note("Citation.quote", ...[...end.citations, ...claimCitations].map((citation) => citation.quote));
    await ChatMessageModel.updateOne(
      { _id: this.ids.messageId },
      {
        $set: {
          content: end.replacement ?? this.text,
          status: end.status,
          citations: end.citations,
          claims: end.claims ?? [],
          replaced: end.replacement !== undefined,
          grounding: end.grounding ?? null,
          grounding_score: end.groundingScore ?? null,
          error: end.error ?? null,
          provider: end.provider ?? null,
          model: end.model ?? null,
          input_tokens: end.inputTokens ?? null,
          output_tokens: end.outputTokens ?? null,
          stream_seq: this.seq,
        },
      },
    ).exec();
    const event = {
      seq: this.seq,
      delta: this.pending,
      done: true,
      status: end.status,
      citations: end.citations,
      claims: end.claims ?? [],
      grounding: end.grounding ?? null,
      replacement: end.replacement ?? null,
      error: end.error ?? null,
    };
    this.pending = "";
    this.publish(event, ChatSessionEventKind.MESSAGE_FINISHED);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.pending) return;
    this.seq += 1;
    const delta = this.pending;
    this.pending = "";
    this.publish({ seq: this.seq, delta, done: false, status: ChatMessageStatus.STREAMING }, ChatSessionEventKind.MESSAGE_DELTA);
  }

  private publish(event: Omit<ChatStreamPayload, "messageId">, sessionKind?: ChatSessionEventKind): void {
    const { messageId, sessionId } = this.ids;
    const payload: ChatStreamPayload = { messageId, ...event };
    this.deps.pubSub.publish("CHAT_MESSAGE_STREAM", messageId, payload);
    if (sessionKind) this.deps.pubSub.publish("CHAT_SESSION_EVENTS", sessionId, { sessionId, kind: sessionKind, messageId, stream: payload });
  }

  /** Saves the text so far; one save at a time, and never over a final state. */
  private save(): void {
    const text = this.text;
    this.saving = this.saving
      .then(() => storedSizes.note("ChatMessage.content", text))
      .then(() => ChatMessageModel.updateOne({ _id: this.ids.messageId, status: ChatMessageStatus.STREAMING }, { $set: { content: text } }).exec())
      .catch((error: unknown) => this.deps.log.warn({ err: error, messageId: this.ids.messageId }, "chat: saving a streaming answer failed"));
  }
}

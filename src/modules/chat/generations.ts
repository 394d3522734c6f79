import { GraphQLError } from "graphql";
import type { AiProvider } from "../../infra/ai/provider";
import { STRICT_REFUSAL, tutorAnswerPrompt, type ChatTurn as PromptTurn } from "../../infra/ai/prompts";
import type { AppPubSub } from "../../infra/pubsub";
import type { Logger } from "../../lib/logger";
import { ChatMessageStatus, ChatMode, Grounding, type ChatSession } from "./chat.model";
import { citationsFrom, claimsFrom, type ChatRetriever } from "./chat.retrieval";
import { mostlySupported, type ClaimChecker } from "./claim-check";
import { StreamWriter, type StreamEnd } from "./stream-writer";
import type { Actor } from "../../lib/identity";

export interface GenerationRequest {
  actor: Exclude<Actor, null>;
  session: Pick<ChatSession, "_id" | "mode" | "scope">;
  messageId: string;
  question: string;
  history: PromptTurn[];
}

/** Abort reasons: a user's stop ends an answer STOPPED, a shutdown FAILED with this message. */
const STOPPED_BY_USER = "stopped by the user";
const SHUTTING_DOWN = "The server shut down while the answer was being written; ask again.";
/** What a client is told of a failure nobody foresaw (the details go to the log). */
const UNEXPECTED_FAILURE = "The answer could not be finished; ask again.";

type ModelUsed = Pick<StreamEnd, "provider" | "model">;

/** Said before an answer the material barely (or does not) cover. */
const GROUNDING_NOTES: Record<Exclude<Grounding, Grounding.STRONG>, string> = {
  [Grounding.WEAK]: "Your material barely covers this question, so this answer may go beyond it.",
  [Grounding.NONE]: "Your material does not cover this question; this answer does not come from it.",
};

interface Running {
  controller: AbortController;
  finished: Promise<void>;
}

/**
 * Answers being written by this process. Each runs on its own, whether or not anyone listens,
 * and takes requests (stop, snapshot) from any instance through `"CHAT_CONTROL"`.
 */
export class ChatGenerations {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly deps: { ai: AiProvider; pubSub: AppPubSub; retriever: ChatRetriever; claims: ClaimChecker; log: Logger; flushMs: number },
  ) {}

  start(request: GenerationRequest): void {
    const controller = new AbortController();
    const finished = this.run(request, controller).finally(() => this.running.delete(request.messageId));
    this.running.set(request.messageId, { controller, finished });
  }

  /** Stops an answer written by this process and waits until it is stored; false when it is not written here. */
  async stopHere(messageId: string): Promise<boolean> {
    const running = this.running.get(messageId);
    if (!running) return false;
    running.controller.abort(STOPPED_BY_USER);
    await running.finished;
    return true;
  }

  /** Ends every answer of this process as FAILED, keeping what was written. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    for (const { controller } of all) controller.abort(SHUTTING_DOWN);
    await Promise.all(all.map(({ finished }) => finished));
  }

  private async run(request: GenerationRequest, controller: AbortController): Promise<void> {
    const { messageId } = request;
    const writer = new StreamWriter(
      { pubSub: this.deps.pubSub, log: this.deps.log, flushMs: this.deps.flushMs },
      { messageId, sessionId: String(request.session._id) },
    );
    const control = this.deps.pubSub.subscribe("CHAT_CONTROL", messageId)[Symbol.asyncIterator]();
    const listening = (async () => {
      for (let next = await control.next(); !next.done; next = await control.next()) {
        if (next.value.kind === "stop") controller.abort(STOPPED_BY_USER);
        else writer.snapshot();
      }
    })();
    const model: ModelUsed = {};
    let end: StreamEnd;
    try {
      end = await this.generate(request, writer, controller.signal, model);
    } catch (error) {
      end = { ...model, ...this.failure(error, controller.signal, messageId) };
    }
    await control.return?.();
    await listening;
    try {
      await writer.finish(end);
    } catch (error) {
      this.deps.log.error({ err: error, messageId }, "chat: storing a finished answer failed");
    }
  }

  /** `model` learns which model writes as soon as it is asked, for answers that end early. */
  private async generate(request: GenerationRequest, writer: StreamWriter, signal: AbortSignal, model: ModelUsed): Promise<StreamEnd> {
    const { actor, session, question, history } = request;
    const { hits, grounding, groundingScore, termRarity } = await this.deps.retriever.retrieve(actor, session.scope, question);
    signal.throwIfAborted();
    const mode = session.mode === ChatMode.STRICT ? "STRICT" : "HYBRID";
    const retrieval = { grounding, groundingScore };
    // Strict mode is the server's rule, not the model's: with material that barely covers the question, no model is asked.
    if (mode === "STRICT" && grounding !== Grounding.STRONG) {
      writer.append(STRICT_REFUSAL);
      return { status: ChatMessageStatus.COMPLETE, citations: [], ...retrieval };
    }
    if (grounding !== Grounding.STRONG) writer.append(`${GROUNDING_NOTES[grounding]}\n\n`);
    const passages = hits.map((hit) => ({ text: hit.text, title: hit.source.title, heading: hit.heading || undefined }));
    const options = { userId: String(actor._id), signal };
    const stream = this.deps.ai.streamText(tutorAnswerPrompt({ question, passages, history, mode, termRarity }), options);
    Object.assign(model, { provider: stream.provider, model: stream.model });
    for await (const delta of stream) writer.append(delta);
    const used = { provider: stream.provider, model: stream.model, inputTokens: stream.usage.inputTokens, outputTokens: stream.usage.outputTokens };
    if (writer.written.trim() === STRICT_REFUSAL) return { status: ChatMessageStatus.COMPLETE, citations: [], ...retrieval, ...used };
    const claims = await this.deps.claims.check(claimsFrom(writer.written, hits), hits, options);
    if (mode === "STRICT" && !mostlySupported(claims)) {
      return { status: ChatMessageStatus.COMPLETE, citations: [], ...retrieval, ...used, replacement: STRICT_REFUSAL };
    }
    return { status: ChatMessageStatus.COMPLETE, citations: citationsFrom(writer.written, hits), claims, ...retrieval, ...used };
  }

  private failure(error: unknown, signal: AbortSignal, messageId: string): StreamEnd {
    if (signal.aborted && signal.reason === STOPPED_BY_USER) return { status: ChatMessageStatus.STOPPED, citations: [] };
    if (signal.aborted) return { status: ChatMessageStatus.FAILED, citations: [], error: SHUTTING_DOWN };
    if (error instanceof GraphQLError && error.extensions.code !== "INTERNAL_SERVER_ERROR") {
      this.deps.log.warn({ err: error.message, messageId }, "chat: answer failed");
      return { status: ChatMessageStatus.FAILED, citations: [], error: error.message };
    }
    this.deps.log.error({ err: error, messageId }, "chat: answer failed unexpectedly");
    return { status: ChatMessageStatus.FAILED, citations: [], error: UNEXPECTED_FAILURE };
  }
}

import { setTimeout as sleep } from "node:timers/promises";
import type { Types } from "mongoose";
import type { Config } from "../../config";
import type { AppPubSub } from "../../infra/pubsub";
import { followLive } from "../../lib/live";
import { ChatPolicy } from "./chat.policy";
import { raise } from "../../lib/errors";
import { findPage, toPage, type Page } from "../../lib/pagination";
import type { CourseService } from "../courses/course.service";
import type { UploadService } from "../uploads/upload.service";
import type { ChatCleanup } from "./chat.cleanup";
import type { ChatSessionPayload, ChatStreamPayload } from "./chat.events";
import { recentHistory } from "./chat.history";
import type { CreateChatSessionInput } from "./chat.inputs";
import { ChatMessageModel, ChatMessageStatus, ChatMode, ChatRole, ChatSessionModel, type ChatMessage, type ChatSession } from "./chat.model";
import { ChatSessionEventKind } from "./chat.types";
import type { ChatGenerations } from "./generations";
import { followAnswer } from "./stream-reader";
import { ABANDONED_AFTER_MS } from "./stream-writer";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";
import { findRaw } from "../../lib/raw-reads";
import { createdIn, type CreatedBetween } from "../../lib/period";

type User = Exclude<Actor, null>;

const DEFAULT_TITLE = "New chat";
/** Earlier messages looked at for the prompt's history (the token budget usually stops sooner). */
const HISTORY_MESSAGES = 20;
const RATE_WINDOW_MS = 60_000;
/** How long `stopChatGeneration` waits for another instance to store a stopped answer, asking again meanwhile. */
const REMOTE_STOP_WAIT_MS = 3_000;
const REMOTE_STOP_RETRY_MS = 300;

export interface ChatTurnResult {
  userMessage: ChatMessage;
  assistantMessage: ChatMessage;
}

/** Chat sessions and messages, with the rule that only a session's owner may see or use it. */
export class ChatService {
  constructor(
    private readonly deps: {
      pubSub: AppPubSub;
      generations: ChatGenerations;
      cleanup: ChatCleanup;
      courses: Pick<CourseService, "readable">;
      uploads: Pick<UploadService, "readable">;
      settings: Config["chat"];
    },
  ) {}

  async ready(): Promise<void> {
    await Promise.all([ChatSessionModel.init(), ChatMessageModel.init()]);
  }

  async list(user: User, page: { skip: number; limit: number }): Promise<Page<ChatSession>> {
    return findPage<ChatSession>(ChatSessionModel, ChatPolicy.own(user), { updated_at: -1, _id: -1 }, page);
  }

  /** The session if it is the user's, else null: others' sessions do not exist for them. */
  async session(user: User, id: string | Types.ObjectId): Promise<ChatSession | null> {
    const sessionId = asObjectId(id);
    if (!sessionId) return null;
    // Through the driver: read on every chat page and turn.
    return ChatSessionModel.collection.findOne<ChatSession>({ _id: sessionId, ...ChatPolicy.own(user) });
  }

  async create(user: User, input: CreateChatSessionInput): Promise<ChatSession> {
    const uploadIds = [...new Set(input.uploadIds ?? [])];
    if (input.courseId && !(await this.deps.courses.readable(user, input.courseId))) raise("NOT_FOUND", "Course not found");
    for (const id of uploadIds) {
      if (!(await this.deps.uploads.readable(user, id))) raise("NOT_FOUND", "Upload not found");
    }
    if (input.mode === ChatMode.STRICT && !input.courseId && uploadIds.length === 0) {
      raise("BAD_USER_INPUT", "A STRICT session answers only from material: give a course or uploads", {
        fields: [{ field: "input.mode", message: "STRICT needs a courseId or uploadIds" }],
      });
    }
    const created = await ChatSessionModel.create({
      owner_id: user._id,
      title: input.title?.trim() || DEFAULT_TITLE,
      mode: input.mode,
      scope: { course_id: input.courseId ?? null, upload_ids: uploadIds },
    });
    return created.toObject<ChatSession>();
  }

  async rename(user: User, id: string, title: string): Promise<ChatSession> {
    const session = await ChatSessionModel.findOneAndUpdate(
      { _id: this.sessionId(id), ...ChatPolicy.own(user) },
      { $set: { title: title.trim() } },
      { returnDocument: "after" },
    )
      .lean<ChatSession>()
      .exec();
    if (!session) return sessionNotFound();
    this.publishSession(session._id, { kind: ChatSessionEventKind.SESSION_UPDATED });
    return session;
  }

  /** Deletes the session with its messages; answers still being written are stopped. */
  async delete(user: User, id: string): Promise<boolean> {
    const session = (await this.session(user, id)) ?? sessionNotFound();
    await this.deps.cleanup.deleteSessions([session._id]);
    this.publishSession(session._id, { kind: ChatSessionEventKind.SESSION_DELETED });
    return true;
  }

  /** A page of the session's messages counted from the newest (skip 0 is the latest), returned oldest first. */
  async messages(session: Pick<ChatSession, "_id">, page: { skip: number; limit: number }): Promise<Page<ChatMessage>> {
    const filter = { session_id: session._id };
    // Through the driver: the chat history is read on every chat page.
    const [newestFirst, total] = await Promise.all([
      findRaw<ChatMessage>(ChatMessageModel, filter, { sort: { _id: -1 }, skip: page.skip, limit: page.limit }),
      ChatMessageModel.collection.countDocuments(filter),
    ]);
    return toPage(newestFirst.reverse(), total, page);
  }

  /** Stores the question and an empty STREAMING answer, starts writing the answer in the background, returns both. */
  async send(user: User, sessionId: string, content: string): Promise<ChatTurnResult> {
    const session = (await this.session(user, sessionId)) ?? sessionNotFound();
    await this.checkLimits(user, 0);
    const earlier = await ChatMessageModel.find({ session_id: session._id, status: { $ne: ChatMessageStatus.STREAMING } })
      .sort({ _id: -1 })
      .limit(HISTORY_MESSAGES)
      .select({ role: 1, content: 1 })
      .lean<Pick<ChatMessage, "role" | "content">[]>()
      .exec();
    const base = { session_id: session._id, ...ChatPolicy.own(user) };
    const [userMessage, assistantMessage] = (
      await ChatMessageModel.insertMany([
        { ...base, role: ChatRole.USER, content, status: ChatMessageStatus.COMPLETE },
        { ...base, role: ChatRole.ASSISTANT, content: "", status: ChatMessageStatus.STREAMING },
      ])
    ).map((message) => message.toObject<ChatMessage>());
    // Again once stored, counting every concurrent send stored by then: sends racing for the last
    // place may all be refused, but none is admitted beyond the limit.
    await this.checkLimits(user, 1).catch(async (error: unknown) => {
      await ChatMessageModel.deleteMany({ _id: { $in: [userMessage._id, assistantMessage._id] } }).exec();
      throw error;
    });
    await ChatSessionModel.updateOne({ _id: session._id }, { $set: { last_message_at: userMessage.created_at } }).exec();
    for (const message of [userMessage, assistantMessage]) {
      this.publishSession(session._id, { kind: ChatSessionEventKind.MESSAGE_CREATED, messageId: String(message._id) });
    }
    this.deps.generations.start({
      actor: user,
      session,
      messageId: String(assistantMessage._id),
      question: content,
      history: recentHistory(earlier, this.deps.settings.historyTokens),
    });
    return { userMessage, assistantMessage };
  }

  /** Stops an answer being written (here or on another instance), keeping its text so far; a finished answer is returned as it is. */
  async stop(user: User, messageId: string): Promise<ChatMessage> {
    const message = await this.ownMessage(user, messageId);
    if (message.role !== ChatRole.ASSISTANT) raise("BAD_USER_INPUT", "Only the tutor's answers can be stopped");
    if (message.status !== ChatMessageStatus.STREAMING) return message;
    if (!(await this.deps.generations.stopHere(String(message._id)))) await this.stopElsewhere(message._id);
    return (await ChatMessageModel.findById(message._id).lean<ChatMessage>().exec()) ?? messageNotFound();
  }

  /** An answer's stream for its owner; see `followAnswer`. */
  async follow(user: User, messageId: string): Promise<AsyncIterable<ChatStreamPayload>> {
    const message = await this.ownMessage(user, messageId);
    if (message.role !== ChatRole.ASSISTANT) raise("BAD_USER_INPUT", "Only the tutor's answers are streamed");
    return followAnswer(this.deps.pubSub, String(message._id), {
      load: () => ChatMessageModel.findById(message._id).lean<ChatMessage>().exec(),
      interrupted: () => this.markAbandoned(message._id),
    });
  }

  /** A session's live events for its owner, ending after its deletion. */
  async followSession(user: User, sessionId: string): Promise<AsyncIterable<ChatSessionPayload>> {
    const session = (await this.session(user, sessionId)) ?? sessionNotFound();
    const live = this.deps.pubSub.subscribe("CHAT_SESSION_EVENTS", String(session._id))[Symbol.asyncIterator]();
    return followLive<ChatSessionPayload, ChatSessionPayload>(live, async (events, push) => {
      for (let next = await events.next(); !next.done; next = await events.next()) {
        await push(next.value);
        if (next.value.kind === ChatSessionEventKind.SESSION_DELETED) return;
      }
    });
  }

  private async ownMessage(user: User, id: string): Promise<ChatMessage> {
    const messageId = asObjectId(id);
    const message = messageId && (await ChatMessageModel.findOne({ _id: messageId, ...ChatPolicy.own(user) }).lean<ChatMessage>().exec());
    return message || messageNotFound();
  }

  /**
   * RATE_LIMITED beyond the answers a user may have written at once, or the questions per minute.
   * `stored`: how many of this request's own questions (and answers) are already stored.
   */
  private async checkLimits(user: User, stored: 0 | 1): Promise<void> {
    const { maxConcurrentGenerations, messagesPerMinute } = this.deps.settings;
    const now = Date.now();
    const writing = await ChatMessageModel.countDocuments({
      owner_id: user._id,
      role: ChatRole.ASSISTANT,
      status: ChatMessageStatus.STREAMING,
      updated_at: { $gt: new Date(now - ABANDONED_AFTER_MS) },
    }).exec();
    if (writing - stored >= maxConcurrentGenerations) {
      raise("RATE_LIMITED", `At most ${maxConcurrentGenerations} answers can be written at once; wait for one or stop it`, {
        limit: maxConcurrentGenerations,
      });
    }
    const recent = await ChatMessageModel.find({ ...ChatPolicy.own(user), role: ChatRole.USER, created_at: { $gt: new Date(now - RATE_WINDOW_MS) } })
      .sort({ created_at: -1 })
      .skip(messagesPerMinute - 1 + stored)
      .limit(1)
      .select({ created_at: 1 })
      .lean<Pick<ChatMessage, "created_at">[]>()
      .exec();
    if (recent.length > 0) {
      const retryAfterSeconds = Math.max(1, Math.ceil((recent[0].created_at.getTime() + RATE_WINDOW_MS - now) / 1000));
      raise("RATE_LIMITED", `At most ${messagesPerMinute} messages a minute; try again in ${retryAfterSeconds} s`, {
        limit: messagesPerMinute,
        retryAfterSeconds,
      });
    }
  }

  /** Asks the instance writing the answer to stop it and waits for the stored result; marks it STOPPED if no instance does. */
  private async stopElsewhere(messageId: Types.ObjectId): Promise<void> {
    const id = String(messageId);
    const deadline = Date.now() + REMOTE_STOP_WAIT_MS;
    while (Date.now() < deadline) {
      this.deps.pubSub.publish("CHAT_CONTROL", id, { kind: "stop" });
      await sleep(REMOTE_STOP_RETRY_MS);
      const message = await ChatMessageModel.findById(messageId).select({ status: 1 }).lean<Pick<ChatMessage, "status">>().exec();
      if (message?.status !== ChatMessageStatus.STREAMING) return;
    }
    await ChatMessageModel.updateOne({ _id: messageId, status: ChatMessageStatus.STREAMING }, { $set: { status: ChatMessageStatus.STOPPED } }).exec();
  }

  private async markAbandoned(messageId: Types.ObjectId): Promise<ChatMessage | null> {
    await ChatMessageModel.updateOne(
      { _id: messageId, status: ChatMessageStatus.STREAMING },
      { $set: { status: ChatMessageStatus.FAILED, error: "The answer was interrupted (its server stopped); ask again." } },
    ).exec();
    return ChatMessageModel.findById(messageId).lean<ChatMessage>().exec();
  }

  private publishSession(sessionId: Types.ObjectId, event: Omit<ChatSessionPayload, "sessionId">): void {
    this.deps.pubSub.publish("CHAT_SESSION_EVENTS", String(sessionId), { sessionId: String(sessionId), ...event });
  }

  private sessionId(id: string): Types.ObjectId {
    return asObjectId(id) ?? sessionNotFound();
  }

  /** How many messages (questions and answers) were written in `period`, for the admin dashboard. */
  countMessages(period: CreatedBetween): Promise<number> {
    return ChatMessageModel.countDocuments(createdIn(period)).exec();
  }
}

function sessionNotFound(): never {
  return raise("NOT_FOUND", "Chat session not found");
}

function messageNotFound(): never {
  return raise("NOT_FOUND", "Chat message not found");
}

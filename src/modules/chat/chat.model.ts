import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, Float, Int, ObjectType, registerEnumType } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { SourceType } from "../search/embedding.model";
import "../search/search.types";

/** Stored lower-case; GraphQL shows the upper-case names. */
export enum ChatMode {
  STRICT = "strict",
  HYBRID = "hybrid",
}

export enum ChatRole {
  USER = "user",
  ASSISTANT = "assistant",
}

export enum ChatMessageStatus {
  STREAMING = "streaming",
  COMPLETE = "complete",
  STOPPED = "stopped",
  FAILED = "failed",
}

/** How well the retrieved material covers a question. */
export enum Grounding {
  STRONG = "strong",
  WEAK = "weak",
  NONE = "none",
}

registerEnumType(Grounding, {
  name: "Grounding",
  description: "How well the material the tutor found covers the question, from a calibrated score.",
  valuesConfig: {
    STRONG: { description: "The material covers the question." },
    WEAK: { description: "The material barely covers it: the answer says so (STRICT refuses)." },
    NONE: { description: "Nothing relevant was found (STRICT refuses; HYBRID answers from general knowledge, saying so)." },
  },
});

registerEnumType(ChatMode, {
  name: "ChatMode",
  description: "How closely the tutor keeps to the session's material.",
  valuesConfig: {
    STRICT: { description: "Answers only from the material, citing it; refuses when the material does not say." },
    HYBRID: { description: "Prefers the material and may add general knowledge, saying which parts are not from it." },
  },
});

registerEnumType(ChatRole, {
  name: "ChatRole",
  description: "Who wrote a chat message.",
  valuesConfig: {
    USER: { description: "The learner." },
    ASSISTANT: { description: "The AI tutor." },
  },
});

registerEnumType(ChatMessageStatus, {
  name: "ChatMessageStatus",
  description: "Where a message is in its life; a user's message is always COMPLETE.",
  valuesConfig: {
    STREAMING: { description: "The tutor is still writing it." },
    COMPLETE: { description: "Finished." },
    STOPPED: { description: "Stopped by `stopChatGeneration`; the text written so far is kept." },
    FAILED: { description: "The AI provider failed; `error` says why and the text written so far is kept." },
  },
});

@ObjectType({ description: "What a session's answers are drawn from: a course, some uploads, both, or nothing." })
export class ChatScope {
  @Field(() => IdScalar, { name: "courseId", nullable: true, description: "A course whose chapters the tutor searches." })
  @prop({ type: () => Types.ObjectId })
  course_id?: Types.ObjectId | null;

  @Field(() => [IdScalar], { name: "uploadIds", description: "Your uploads the tutor searches; empty for none." })
  @prop({ type: () => [Types.ObjectId], default: () => [] })
  upload_ids!: Types.ObjectId[];
}

@ObjectType({ description: "A conversation with the AI tutor; only its owner may see or use it." })
@modelOptions({
  schemaOptions: { collection: "chat_sessions", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
@index({ owner_id: 1, updated_at: -1, _id: -1 })
@index({ "scope.course_id": 1 })
export class ChatSession {
  @Field({ name: "id", description: "The session's id." })
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  @Field({ description: "Title, 1 to 200 characters." })
  @prop({ required: true, trim: true })
  title!: string;

  @Field(() => ChatMode, { description: "How closely the tutor keeps to the material." })
  @prop({ required: true, enum: ChatMode, type: String })
  mode!: ChatMode;

  @Field(() => ChatScope, { description: "What the tutor's answers are drawn from." })
  @prop({ required: true, type: () => ChatScope, _id: false })
  scope!: ChatScope;

  @Field({ name: "createdAt", description: "When the session was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the session last changed (a rename, a new message)." })
  readonly updated_at!: Date;

  @Field(() => Date, { name: "lastMessageAt", nullable: true, description: "When the last message was sent; null before the first." })
  @prop({ type: Date })
  last_message_at?: Date | null;
}

@ObjectType({ description: "A passage an answer cites, and where it comes from." })
export class Citation {
  @Field(() => Int, { description: "The passage's number as the answer cites it: `[index]`." })
  @prop({ required: true })
  index!: number;

  @Field(() => SourceType, { name: "sourceType", description: "Upload or chapter." })
  @prop({ required: true, enum: SourceType, type: String })
  source_type!: SourceType;

  @Field(() => IdScalar, { name: "sourceId", description: "The upload's or the chapter's id." })
  @prop({ required: true, type: () => Types.ObjectId })
  source_id!: Types.ObjectId;

  @Field({ description: "The upload's or the chapter's title." })
  @prop({ required: true })
  title!: string;

  @Field(() => Int, { name: "pageStart", nullable: true, description: "First page of the passage (PDF uploads)." })
  @prop({ type: Number })
  page_start?: number | null;

  @Field(() => Int, { name: "pageEnd", nullable: true, description: "Last page of the passage (PDF uploads)." })
  @prop({ type: Number })
  page_end?: number | null;

  @Field(() => Int, { name: "chunkIndex", description: "Place of the passage in its source, from 0." })
  @prop({ required: true })
  chunk_index!: number;

  @Field({ description: "The sentence of the passage closest to what the answer says where it cites it, as written." })
  @prop({ required: true })
  quote!: string;
}

@ObjectType({ description: "A sentence of an answer that states something, with the passages it cites and whether they support it." })
export class Claim {
  @Field({ description: "The sentence, as the answer writes it (citation marks included)." })
  @prop({ required: true })
  text!: string;

  @Field({
    description:
      "Whether the cited passages say what the sentence says: checked by a second model call, or offline by the overlap of content words and numbers. False for a sentence that cites nothing.",
  })
  @prop({ required: true })
  supported!: boolean;

  @Field(() => [Citation], { description: "The passages the sentence cites, each with the sentence of the passage it uses as `quote`." })
  @prop({ type: () => [Citation], _id: false, default: () => [] })
  citations!: Citation[];
}

@ObjectType({ description: "One message of a chat session: the learner's question or the tutor's answer." })
@modelOptions({
  schemaOptions: { collection: "chat_messages", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
@index({ session_id: 1, _id: -1 })
@index({ owner_id: 1, role: 1, status: 1 })
@index({ owner_id: 1, role: 1, created_at: -1 })
export class ChatMessage {
  @Field({ name: "id", description: "The message's id." })
  readonly _id!: Types.ObjectId;

  @Field({ name: "sessionId", description: "The session the message belongs to." })
  @prop({ required: true, type: () => Types.ObjectId })
  session_id!: Types.ObjectId;

  /** The session's owner, copied so limits and access need no join. */
  @prop({ required: true, type: () => Types.ObjectId })
  owner_id!: Types.ObjectId;

  @Field(() => ChatRole, { description: "Who wrote it." })
  @prop({ required: true, enum: ChatRole, type: String })
  role!: ChatRole;

  @Field({
    description:
      "The text. While STREAMING it is saved every few seconds and may lag the stream: follow `chatMessageStream` for every token.",
  })
  @prop({ type: String, default: "" })
  content!: string;

  @Field(() => ChatMessageStatus, { description: "Whether the message is finished." })
  @prop({ required: true, enum: ChatMessageStatus, type: String })
  status!: ChatMessageStatus;

  @Field(() => [Citation], { description: "The passages the answer cites, by number; empty for questions and uncited answers." })
  @prop({ type: () => [Citation], _id: false, default: () => [] })
  citations!: Citation[];

  @Field(() => [Claim], {
    description: "The answer's claims, each checked against the passages it cites; empty for questions, refusals and answers still being written.",
  })
  @prop({ type: () => [Claim], _id: false, default: () => [] })
  claims!: Claim[];

  /** The stored content is not the streamed text: STRICT replaced it by the refusal. */
  @prop({ type: Boolean })
  replaced?: boolean;

  @Field(() => Grounding, { nullable: true, description: "How well the material covers the question; null for questions and for answers still being written." })
  @prop({ type: String, enum: Grounding })
  grounding?: Grounding | null;

  @Field(() => Float, {
    name: "groundingScore",
    nullable: true,
    description:
      "The score (0..1) `grounding` comes from: the largest share of the question's key terms (content words and exact terms such as `-d`; a term the material never uses counts three times) that one retrieved passage holds, combined with how rare in the session's material the key terms that passage holds are.",
  })
  @prop({ type: Number })
  grounding_score?: number | null;

  @Field(() => String, { nullable: true, description: "The AI provider that wrote an answer; null for questions and refusals made without a model." })
  @prop({ type: String })
  provider?: string | null;

  @Field(() => String, { nullable: true, description: "The model that wrote an answer; null where no model was asked." })
  @prop({ type: String })
  model?: string | null;

  @Field(() => Int, { name: "inputTokens", nullable: true, description: "Prompt tokens the model counted, where it reports them." })
  @prop({ type: Number })
  input_tokens?: number | null;

  @Field(() => Int, { name: "outputTokens", nullable: true, description: "Tokens the model wrote, where it reports them." })
  @prop({ type: Number })
  output_tokens?: number | null;

  @Field(() => String, { nullable: true, description: "Why the answer FAILED; null otherwise." })
  @prop({ type: String })
  error?: string | null;

  /** Sequence number of the final stream event, so late subscribers of a finished message see the same numbering. */
  @prop({ type: Number, default: 0 })
  stream_seq!: number;

  @Field({ name: "createdAt", description: "When the message was sent or the answer begun." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the message last changed." })
  readonly updated_at!: Date;
}

export const ChatSessionModel = getModelForClass(ChatSession);
export const ChatMessageModel = getModelForClass(ChatMessage);

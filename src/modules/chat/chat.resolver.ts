import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Subscription } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { PageArgs, type Page } from "../../lib/pagination";
import { validArgs } from "../../lib/validation";
import type { ChatSessionPayload, ChatStreamPayload } from "./chat.events";
import {
  ChatMessageIdArgs,
  ChatSessionEventsArgs,
  ChatSessionIdArgs,
  CreateChatSessionInput,
  RenameChatSessionArgs,
  SendChatMessageArgs,
} from "./chat.inputs";
import { ChatMessage, ChatSession } from "./chat.model";
import type { ChatTurnResult } from "./chat.service";
import { ChatMessagePage, ChatSessionEvent, ChatSessionPage, ChatStreamEvent, ChatTurn } from "./chat.types";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";

@Resolver(() => ChatSession)
export class ChatResolver {
  @Authorized()
  @Query(() => ChatSessionPage, { description: "Your chat sessions, most recently active first." })
  async chatSessions(@Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ChatSession>> {
    return ctx.services.chat.list(await signedInActor(ctx), page);
  }

  @Authorized()
  @Query(() => ChatSession, { nullable: true, description: "One of your chat sessions, or null if you have none with this id." })
  async chatSession(@Args() { id }: ChatSessionIdArgs, @Ctx() ctx: Context): Promise<ChatSession | null> {
    return ctx.services.chat.session(await signedInActor(ctx), id);
  }

  @Authorized()
  @Mutation(() => ChatSession, { description: "Starts a chat session over a course you may read and/or your uploads (or none, HYBRID only)." })
  async createChatSession(
    @Arg("input", () => CreateChatSessionInput, { description: "The new session." }) input: CreateChatSessionInput,
    @Ctx() ctx: Context,
  ): Promise<ChatSession> {
    return ctx.services.chat.create(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => ChatSession, { description: "Renames one of your chat sessions." })
  async renameChatSession(@Args() { id, title }: RenameChatSessionArgs, @Ctx() ctx: Context): Promise<ChatSession> {
    return ctx.services.chat.rename(await signedInActor(ctx), id, title);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes one of your chat sessions with its messages, stopping answers still being written." })
  async deleteChatSession(@Args() { id }: ChatSessionIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.chat.delete(await signedInActor(ctx), id);
  }

  @Authorized()
  @Mutation(() => ChatTurn, {
    description:
      "Asks the tutor in one of your sessions. Returns at once with the stored question and the answer being written (STREAMING), " +
      "which is finished and stored whether or not anyone follows it. RATE_LIMITED beyond your concurrent answers or messages per minute.",
  })
  async sendChatMessage(@Args() { sessionId, content }: SendChatMessageArgs, @Ctx() ctx: Context): Promise<ChatTurnResult> {
    return ctx.services.chat.send(await signedInActor(ctx), sessionId, content);
  }

  @Authorized()
  @Mutation(() => ChatMessage, {
    description: "Stops one of your answers being written and returns it STOPPED with the text so far; a finished answer is returned unchanged.",
  })
  async stopChatGeneration(@Args() { messageId }: ChatMessageIdArgs, @Ctx() ctx: Context): Promise<ChatMessage> {
    return ctx.services.chat.stop(await signedInActor(ctx), messageId);
  }

  @Authorized()
  @Subscription(() => ChatStreamEvent, {
    description:
      "One of your answers as it is written: the text so far as one event, then each new piece, then a final event with `done`, " +
      "the status and the citations. A finished answer gives one final event. NOT_FOUND unless the answer is yours.",
    subscribe: async ({ args, context }) => {
      const { messageId } = validArgs(ChatMessageIdArgs, args);
      const ctx = context as Context;
      return ctx.services.chat.follow(await signedInActor(ctx), messageId);
    },
  })
  chatMessageStream(@Args() _args: ChatMessageIdArgs, @Root() event: ChatStreamPayload): ChatStreamEvent {
    return event;
  }

  @Authorized()
  @Subscription(() => ChatSessionEvent, {
    description: "What happens in one of your sessions from now on: messages created, answers growing and finishing, renames, deletion.",
    subscribe: async ({ args, context }) => {
      const { sessionId } = validArgs(ChatSessionEventsArgs, args);
      const ctx = context as Context;
      return ctx.services.chat.followSession(await signedInActor(ctx), sessionId);
    },
  })
  chatSessionEvents(@Args() _args: ChatSessionEventsArgs, @Root() event: ChatSessionPayload): ChatSessionEvent {
    return event;
  }

  @FieldResolver(() => ChatMessagePage, { description: "The session's messages, a page counted from the newest (skip 0 is the latest), newest last." })
  messages(@Root() session: ChatSession, @Args() page: PageArgs, @Ctx() ctx: Context): Promise<Page<ChatMessage>> {
    return ctx.services.chat.messages(session, page);
  }
}

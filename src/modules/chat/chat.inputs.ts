import { ArrayMaxSize, IsOptional, IsString, Length, Matches } from "class-validator";
import { ArgsType, Field, InputType } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { ChatMode } from "./chat.model";
import { NOT_BLANK } from "../../lib/validation";

export const TITLE_MAX_LENGTH = 200;
export const MESSAGE_MAX_LENGTH = 4000;
const MAX_SCOPE_UPLOADS = 20;

@InputType({ description: "A new chat session." })
export class CreateChatSessionInput {
  @Field(() => String, { nullable: true, description: `Title (1 to ${TITLE_MAX_LENGTH} characters); "New chat" when not given.` })
  @IsOptional()
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string | null;

  @Field(() => ChatMode, { description: "STRICT answers only from the material (which then must be given); HYBRID may add general knowledge." })
  mode!: ChatMode;

  @Field(() => IdScalar, { nullable: true, description: "A course you may read whose chapters the tutor searches." })
  @IsOptional()
  courseId?: string | null;

  @Field(() => [IdScalar], { nullable: true, description: `Up to ${MAX_SCOPE_UPLOADS} of your uploads the tutor searches.` })
  @IsOptional()
  @ArrayMaxSize(MAX_SCOPE_UPLOADS)
  uploadIds?: string[] | null;
}

@ArgsType()
export class ChatSessionIdArgs {
  @Field(() => IdScalar, { description: "The session's id." })
  id!: string;
}

@ArgsType()
export class RenameChatSessionArgs extends ChatSessionIdArgs {
  @Field({ description: `The new title (1 to ${TITLE_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title!: string;
}

@ArgsType()
export class SendChatMessageArgs {
  @Field(() => IdScalar, { name: "sessionId", description: "The session to ask in." })
  sessionId!: string;

  @Field({ description: `The question (1 to ${MESSAGE_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, MESSAGE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "content must not be blank" })
  content!: string;
}

@ArgsType()
export class ChatMessageIdArgs {
  @Field(() => IdScalar, { name: "messageId", description: "The answer's id (`ChatTurn.assistantMessage.id`)." })
  messageId!: string;
}

@ArgsType()
export class ChatSessionEventsArgs {
  @Field(() => IdScalar, { name: "sessionId", description: "The session to follow." })
  sessionId!: string;
}

import { ArgsType, Field, Int, ObjectType } from "type-graphql";
import { CourseSource } from "../courses/course.model";
import { UploadStatus } from "../uploads/upload.model";
import { UserRole } from "../users/user.model";

@ArgsType()
export class AdminStatsArgs {
  @Field(() => Date, { nullable: true, description: "Start of the period (inclusive) for attempts, chat messages and AI usage; all time when left out." })
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: "End of the period (exclusive); now when left out." })
  until?: Date | null;
}

@ObjectType({ description: "Accounts with one role." })
export class RoleCount {
  @Field(() => UserRole, { description: "The role." })
  role!: UserRole;

  @Field(() => Int, { description: "Active accounts with this role." })
  active!: number;

  @Field(() => Int, { description: "Deactivated accounts with this role." })
  inactive!: number;
}

@ObjectType({ description: "Courses made one way." })
export class CourseSourceCount {
  @Field(() => CourseSource, { description: "How the courses were made." })
  source!: CourseSource;

  @Field(() => Int, { description: "How many courses." })
  count!: number;
}

@ObjectType({ description: "Uploads in one ingestion state." })
export class UploadStatusCount {
  @Field(() => UploadStatus, { description: "The ingestion state." })
  status!: UploadStatus;

  @Field(() => Int, { description: "How many uploads." })
  count!: number;
}

@ObjectType({ description: "Calls to one AI provider for one purpose over the period." })
export class AiUsageStat {
  @Field({ description: "The provider: gemini, openai (an OpenAI-compatible server) or offline." })
  provider!: string;

  @Field({ description: "What the calls were for: outline, quiz, chat or embedding." })
  purpose!: string;

  @Field(() => Int, { description: "Calls made." })
  calls!: number;

  @Field(() => Int, { description: "Calls that failed." })
  errors!: number;

  @Field(() => Int, { description: "Input tokens, as the provider reported them." })
  inputTokens!: number;

  @Field(() => Int, { description: "Output tokens, as the provider reported them." })
  outputTokens!: number;
}

@ObjectType({ description: "Platform statistics for admins: current totals, and activity over a period." })
export class AdminStats {
  @Field(() => Date, { nullable: true, description: "Start of the period; null for all time." })
  since!: Date | null;

  @Field(() => Date, { description: "End of the period." })
  until!: Date;

  @Field(() => [RoleCount], { description: "Accounts by role, active and deactivated (every role listed)." })
  users!: RoleCount[];

  @Field(() => [CourseSourceCount], { description: "Courses by how they were made (every source listed)." })
  courses!: CourseSourceCount[];

  @Field(() => [UploadStatusCount], { description: "Uploads by ingestion state (every state listed)." })
  uploads!: UploadStatusCount[];

  @Field(() => Int, { description: "Quizzes stored now." })
  quizzes!: number;

  @Field(() => Int, { description: "Quiz attempts submitted in the period." })
  attempts!: number;

  @Field(() => Int, { name: "chatMessages", description: "Chat messages (questions and answers) written in the period." })
  chatMessages!: number;

  @Field(() => [AiUsageStat], { name: "aiUsage", description: "AI calls in the period by provider and purpose." })
  aiUsage!: AiUsageStat[];
}

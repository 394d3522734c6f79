import { IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from "class-validator";
import { ArgsType, Field, InputType, Int } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { NOT_BLANK } from "../../lib/validation";
import { AnswerInput } from "../quizzes/quiz.inputs";
import { ASSIGNMENT_TITLE_MAX_LENGTH, AssignmentStatus, MAX_ATTEMPTS_ALLOWED, MAX_REVIEW_COUNT, MAX_TIME_LIMIT_SECONDS, ScorePolicy } from "./assignment.model";
import { SharedKind } from "./sharing.types";

@InputType({ description: "New work for a class you teach. What it names must be yours to share; the class gets read access to it." })
export class CreateAssignmentInput {
  @Field(() => IdScalar, { name: "classId", description: "The class." })
  classId!: string;

  @Field(() => SharedKind, { description: "COURSE (complete its chapters), QUIZ (submit it) or DECK (review cards from it)." })
  kind!: SharedKind;

  @Field(() => IdScalar, { name: "targetId", description: "The course, quiz or personal deck." })
  targetId!: string;

  @Field(() => String, { nullable: true, description: `Title (1 to ${ASSIGNMENT_TITLE_MAX_LENGTH} characters); the assigned thing's title when left out.` })
  @IsOptional()
  @IsString()
  @Length(1, ASSIGNMENT_TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string | null;

  @Field({ name: "opensAt", description: "From when students may work on it." })
  opensAt!: Date;

  @Field({ name: "dueAt", description: "When it is due; after `opensAt`." })
  dueAt!: Date;

  @Field(() => Int, { name: "attemptsAllowed", description: `Quiz: submissions per student (1 to ${MAX_ATTEMPTS_ALLOWED}).` })
  @Min(1)
  @Max(MAX_ATTEMPTS_ALLOWED)
  attemptsAllowed: number = 1;

  @Field(() => Int, { name: "timeLimitSeconds", nullable: true, description: `Quiz: each attempt's time limit in seconds (1 to ${MAX_TIME_LIMIT_SECONDS}), from \`startAssignment\`.` })
  @IsOptional()
  @Min(1)
  @Max(MAX_TIME_LIMIT_SECONDS)
  timeLimitSeconds?: number | null;

  @Field({ name: "acceptLate", description: "Whether late work is taken (marked LATE) or refused." })
  acceptLate: boolean = true;

  @Field(() => ScorePolicy, { name: "scorePolicy", description: "Quiz: which attempt counts." })
  scorePolicy: ScorePolicy = ScorePolicy.BEST;

  @Field({ name: "hideKeysUntilDue", description: "Quiz: keep its keys and explanations from students until it is due." })
  hideKeysUntilDue: boolean = false;

  @Field(() => Int, { name: "reviewCount", nullable: true, description: `Deck: how many reviews complete it (1 to ${MAX_REVIEW_COUNT}); required for a deck.` })
  @IsOptional()
  @Min(1)
  @Max(MAX_REVIEW_COUNT)
  reviewCount?: number | null;
}

@ArgsType()
export class AssignmentIdArgs {
  @Field(() => IdScalar, { name: "assignmentId", description: "The assignment." })
  assignmentId!: string;
}

@ArgsType()
export class SubmitAssignmentArgs extends AssignmentIdArgs {
  @ValidateNested()
  @Field(() => [AnswerInput], { description: "At most one answer per question." })
  answers!: AnswerInput[];
}

@ArgsType()
export class MyAssignmentsArgs extends PageArgs {
  @Field(() => AssignmentStatus, { nullable: true, description: "Only assignments with this status." })
  status?: AssignmentStatus | null;
}

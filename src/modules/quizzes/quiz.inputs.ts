import { ArrayMaxSize, ArrayMinSize, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, ValidateNested } from "class-validator";
import { ArgsType, Field, InputType, Int } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { MAX_GENERATED_QUESTIONS, MAX_QUESTIONS, QuestionType, QUIZ_TITLE_MAX_LENGTH, QuizDifficulty, TEXT_MAX_LENGTH } from "./quiz.model";
import { NOT_BLANK } from "../../lib/validation";


@InputType({ description: "What to write a quiz from: exactly one of a chapter, a course or an upload." })
export class QuizSourceInput {
  @Field(() => IdScalar, { nullable: true, description: "A chapter you may read." })
  chapterId?: string | null;

  @Field(() => IdScalar, { nullable: true, description: "A course you may read: all its chapters." })
  courseId?: string | null;

  @Field(() => IdScalar, { nullable: true, description: "An upload of yours that has finished ingestion." })
  uploadId?: string | null;
}

@InputType({ description: "A quiz to be written by the AI provider from a chapter, a course or an upload." })
export class GenerateQuizInput extends QuizSourceInput {
  @Field(() => Int, { description: `How many questions (1 to ${MAX_GENERATED_QUESTIONS}).` })
  @Min(1)
  @Max(MAX_GENERATED_QUESTIONS)
  numQuestions!: number;

  @Field(() => [QuestionType], { nullable: true, description: "Question types to mix (questions of other types are rejected); single choice when left out. The offline provider writes single-choice questions only." })
  @IsOptional()
  @ArrayMinSize(1)
  types?: QuestionType[] | null;

  @Field(() => QuizDifficulty, { nullable: true, description: "How hard the questions are; MEDIUM when left out." })
  difficulty?: QuizDifficulty | null;

  @Field(() => String, { nullable: true, description: `Title (1 to ${QUIZ_TITLE_MAX_LENGTH} characters); named after the source when left out.` })
  @IsOptional()
  @Length(1, QUIZ_TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string | null;
}

@InputType({ description: "One question written by hand." })
export class QuestionInput {
  @Field(() => QuestionType, { description: "How the question is answered." })
  type!: QuestionType;

  @Field({ description: "The question itself." })
  @IsString()
  @Length(1, TEXT_MAX_LENGTH)
  prompt!: string;

  @Field(() => [String], { nullable: true, description: 'Options by index from 0; for TRUE_FALSE exactly ["True", "False"]; none for SHORT_ANSWER.' })
  @IsOptional()
  @ArrayMaxSize(10)
  @MaxLength(TEXT_MAX_LENGTH, { each: true })
  options?: string[] | null;

  @Field(() => [Int], { nullable: true, description: "Indexes of the correct options: one, or at least one for MULTIPLE_CHOICE." })
  @IsOptional()
  @ArrayMaxSize(10)
  correctOptions?: number[] | null;

  @Field(() => [String], { nullable: true, description: "Accepted answers of a SHORT_ANSWER question." })
  @IsOptional()
  @ArrayMaxSize(20)
  @MaxLength(TEXT_MAX_LENGTH, { each: true })
  acceptedAnswers?: string[] | null;

  @Field(() => String, { nullable: true, description: "Why the answer is right, shown after a learner submits." })
  @IsOptional()
  @MaxLength(TEXT_MAX_LENGTH)
  explanation?: string | null;
}

@InputType({ description: "A quiz written by hand on a chapter, a course or an upload." })
export class CreateQuizInput extends QuizSourceInput {
  @Field({ description: `Title (1 to ${QUIZ_TITLE_MAX_LENGTH} characters).` })
  @Length(1, QUIZ_TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title!: string;

  @ValidateNested()
  @Field(() => [QuestionInput], { description: `The questions in order (1 to ${MAX_QUESTIONS}).` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_QUESTIONS)
  questions!: QuestionInput[];
}

@InputType({ description: "Changes to a quiz; fields left out stay as they are." })
export class UpdateQuizInput {
  @Field(() => String, { nullable: true, description: `New title (1 to ${QUIZ_TITLE_MAX_LENGTH} characters).` })
  @IsOptional()
  @Length(1, QUIZ_TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string | null;

  @ValidateNested()
  @Field(() => [QuestionInput], {
    nullable: true,
    description: `All questions, replacing the current ones (1 to ${MAX_QUESTIONS}). Statistics start afresh for the new questions.`,
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_QUESTIONS)
  questions?: QuestionInput[] | null;
}

@InputType({ description: "Your answer to one question." })
export class AnswerInput {
  @Field(() => IdScalar, { description: "The question answered." })
  questionId!: string;

  @Field(() => [Int], { nullable: true, description: "Chosen options by index, for choice and true/false questions." })
  @IsOptional()
  @ArrayMaxSize(10)
  selectedOptions?: number[] | null;

  @Field(() => String, { nullable: true, description: "Your answer to a SHORT_ANSWER question." })
  @IsOptional()
  @MaxLength(TEXT_MAX_LENGTH)
  text?: string | null;
}

@ArgsType()
export class QuizzesArgs extends PageArgs {
  @Field(() => IdScalar, {
    nullable: true,
    description: "A course you may read: its quizzes and its chapters' quizzes. Without it, your own quizzes (all quizzes for an admin).",
  })
  courseId?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Only quizzes you created." })
  mine?: boolean | null;
}

@ArgsType()
export class MyQuizAttemptsArgs extends PageArgs {
  @Field(() => IdScalar, { nullable: true, description: "Only attempts at this quiz." })
  quizId?: string | null;
}

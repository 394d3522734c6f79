import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import type { Page } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { UserSummary, userSummary } from "../users/user-summary";
import { CreateQuizInput, GenerateQuizInput, QuizzesArgs, UpdateQuizInput } from "./quiz.inputs";
import { quizPageReads, quizStatsLoader } from "./quiz.loaders";
import { selectedFields } from "../../lib/selection";
import { GenerationReport, Question, Quiz } from "./quiz.model";
import { QuestionStats, QuizPage, QuizStats } from "./quiz.types";
import { shownQuestions, viewerAuthors, type ShownQuestion } from "./quiz-viewer";
import type { Context } from "../../lib/context";
import { actorOf, signedInActor } from "../../lib/identity";

@Resolver(() => Quiz)
export class QuizResolver {
  @Authorized()
  @Query(() => QuizPage, { description: "Quizzes newest first: a course's quizzes, or your own (everyone's for an admin)." })
  async quizzes(@Args() args: QuizzesArgs, @Ctx() ctx: Context): Promise<Page<Quiz>> {
    return ctx.services.quizzes.list(await signedInActor(ctx), args);
  }

  @Authorized()
  @Query(() => Quiz, { nullable: true, description: "One quiz, or null when there is none you may see with this id." })
  async quiz(@Arg("id", () => IdScalar, { description: "The quiz's id." }) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Quiz | null> {
    return ctx.services.quizzes.readable(await actorOf(ctx), id, ctx.loaders, quizPageReads(ctx, selectedFields(info, "Quiz")));
  }

  @Authorized()
  @Mutation(() => Quiz, {
    description:
      "Writes a quiz with the AI provider from a chapter, a course or an upload. Every question is checked (distinct options, keys, no repeats, explanation, citation); bad ones are regenerated a bounded number of times, else dropped and listed in `generationReport`.",
  })
  async generateQuiz(
    @Arg("input", () => GenerateQuizInput, { description: "What to write the quiz from, and how." }) input: GenerateQuizInput,
    @Ctx() ctx: Context,
  ): Promise<Quiz> {
    return ctx.services.quizzes.generate(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Quiz, { description: "Creates a quiz written by hand; questions pass the same checks as generated ones." })
  async createQuiz(
    @Arg("input", () => CreateQuizInput, { description: "The new quiz." }) input: CreateQuizInput,
    @Ctx() ctx: Context,
  ): Promise<Quiz> {
    return ctx.services.quizzes.create(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Quiz, { description: "Changes a quiz; its owner, its course's owner or an admin only." })
  async updateQuiz(
    @Arg("id", () => IdScalar, { description: "The quiz's id." }) id: string,
    @Arg("input", () => UpdateQuizInput, { description: "The fields to change." }) input: UpdateQuizInput,
    @Ctx() ctx: Context,
  ): Promise<Quiz> {
    return ctx.services.quizzes.update(await actorOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes a quiz and every attempt at it; its owner, its course's owner or an admin only." })
  async deleteQuiz(@Arg("id", () => IdScalar, { description: "The quiz's id." }) id: string, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.quizzes.delete(await actorOf(ctx), id);
  }

  @FieldResolver(() => [Question], { description: "The questions in order; keys only for the quiz's authors." })
  questions(@Root() quiz: Quiz, @Ctx() ctx: Context): Promise<ShownQuestion[]> {
    return shownQuestions(ctx, quiz);
  }

  @FieldResolver(() => Int, { description: "How many questions the quiz has." })
  questionCount(@Root() quiz: Quiz): number {
    return quiz.questions.length;
  }

  @FieldResolver(() => UserSummary, { nullable: true, description: "Who created the quiz; null if the account no longer exists." })
  owner(@Root() quiz: Quiz, @Ctx() ctx: Context): Promise<UserSummary | null> {
    return userSummary(ctx, quiz.owner_id);
  }

  @FieldResolver(() => Boolean, {
    name: "canEdit",
    description: "Whether you are one of the quiz's authors: you may change it and read its keys and item statistics.",
  })
  canEdit(@Root() quiz: Quiz, @Ctx() ctx: Context): Promise<boolean> {
    return viewerAuthors(ctx, quiz);
  }

  @FieldResolver(() => QuizStats, { description: "Attempts so far and their average score." })
  stats(@Root() quiz: Quiz, @Ctx() ctx: Context): Promise<QuizStats> {
    return quizStatsLoader(ctx).load(quiz._id);
  }

  @FieldResolver(() => [QuestionStats], {
    nullable: true,
    description: "Per question: share answering correctly, choices per option and flags; null unless you are one of the quiz's authors.",
  })
  async questionStats(@Root() quiz: Quiz, @Ctx() ctx: Context): Promise<QuestionStats[] | null> {
    if (!(await viewerAuthors(ctx, quiz))) return null;
    return ctx.services.attempts.itemStats(quiz);
  }

  @FieldResolver(() => GenerationReport, {
    nullable: true,
    description: "How the questions were checked when generated; null for hand-made quizzes and for anyone but the quiz's authors.",
  })
  async generationReport(@Root() quiz: Quiz, @Ctx() ctx: Context): Promise<GenerationReport | null> {
    if (!quiz.generation || !(await viewerAuthors(ctx, quiz))) return null;
    return quiz.generation;
  }
}

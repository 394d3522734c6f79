import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import type { Page } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { GradedAnswer, QuizAttempt } from "./attempt.model";
import { AnswerInput, MyQuizAttemptsArgs } from "./quiz.inputs";
import { quizLoader } from "./quiz.loaders";
import { QuestionCitation, Quiz, type Question } from "./quiz.model";
import { QuizAttemptPage } from "./quiz.types";
import { viewerAuthors, viewerReads } from "./quiz-viewer";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";

/**
 * A graded answer with its question, if the quiz still has it: only its own attempter reads it.
 * `keysHidden`: the quiz keeps its keys from this viewer for now (see `Quiz.keys_hidden_until`).
 */
type AnswerWithQuestion = GradedAnswer & { question?: Question; keysHidden?: boolean };

@Resolver(() => QuizAttempt)
export class AttemptResolver {
  @Authorized()
  @Mutation(() => QuizAttempt, {
    description:
      "Submits your answers to a quiz you may read; graded on the server. Questions left out count as wrong. Each submission is kept and counts in your dashboard's quizzes taken and average score; whether it earns leaderboard points says `countsForLeaderboard`.",
  })
  async submitQuizAttempt(
    @Arg("quizId", () => IdScalar, { description: "The quiz taken." }) quizId: string,
    @Arg("answers", () => [AnswerInput], { description: "At most one answer per question." }) answers: AnswerInput[],
    @Ctx() ctx: Context,
  ): Promise<QuizAttempt> {
    return ctx.services.attempts.submit(await signedInActor(ctx), quizId, answers, { loaders: ctx.loaders });
  }

  @Authorized()
  @Query(() => QuizAttemptPage, { description: "Your attempts, newest first." })
  async myQuizAttempts(@Args() { quizId, skip, limit }: MyQuizAttemptsArgs, @Ctx() ctx: Context): Promise<Page<QuizAttempt>> {
    return ctx.services.attempts.mine(await signedInActor(ctx), quizId, { skip, limit });
  }

  @FieldResolver(() => Quiz, { nullable: true, description: "The quiz taken; null if it was deleted or you may no longer read it." })
  async quiz(@Root() attempt: QuizAttempt, @Ctx() ctx: Context): Promise<Quiz | null> {
    const quiz = await quizLoader(ctx).load(attempt.quiz_id);
    return quiz && (await viewerReads(ctx, quiz)) ? quiz : null;
  }

  @FieldResolver(() => Int, {
    description:
      "The points this attempt adds to the leaderboard: `points` capped at LEADERBOARD_MAX_POINTS_PER_QUIZ when `countsForLeaderboard`, else 0. Per quiz the leaderboard keeps the best counting attempt.",
  })
  leaderboardPoints(@Root() attempt: QuizAttempt, @Ctx() ctx: Context): number {
    return ctx.services.leaderboard.pointsOf(attempt);
  }

  @FieldResolver(() => [GradedAnswer], { description: "One graded answer per question, in quiz order, with explanations revealed." })
  async answers(@Root() attempt: QuizAttempt, @Ctx() ctx: Context): Promise<AnswerWithQuestion[]> {
    const quiz = await quizLoader(ctx).load(attempt.quiz_id);
    const questions = new Map((quiz?.questions ?? []).map((question) => [String(question._id), question]));
    const keysHidden = quiz?.keys_hidden_until !== undefined && quiz.keys_hidden_until.getTime() > Date.now() && !(await viewerAuthors(ctx, quiz));
    return attempt.answers.map((answer) => ({ ...answer, question: questions.get(String(answer.question_id)), keysHidden }));
  }
}

/** After submitting, the attempter learns why: the key, the explanation and the cited passage. */
@Resolver(() => GradedAnswer)
export class GradedAnswerResolver {
  @FieldResolver(() => String, { nullable: true, description: "The question's text; null if the question was since removed from the quiz." })
  prompt(@Root() answer: AnswerWithQuestion): string | null {
    return answer.question?.prompt ?? null;
  }

  @FieldResolver(() => [Int], { nullable: true, description: "The correct options; null for short answers, a removed question, or while a class assignment keeps the keys hidden until it is due." })
  correctOptions(@Root() answer: AnswerWithQuestion): number[] | null {
    if (answer.keysHidden) return null;
    return answer.question?.correct_options.length ? answer.question.correct_options : null;
  }

  @FieldResolver(() => [String], { nullable: true, description: "The accepted answers of a short-answer question; null otherwise." })
  acceptedAnswers(@Root() answer: AnswerWithQuestion): string[] | null {
    if (answer.keysHidden) return null;
    return answer.question?.accepted_answers.length ? answer.question.accepted_answers : null;
  }

  @FieldResolver(() => String, { nullable: true, description: "Why the answer is right; null if none was written or the question was removed." })
  explanation(@Root() answer: AnswerWithQuestion): string | null {
    if (answer.keysHidden) return null;
    return answer.question?.explanation || null;
  }

  @FieldResolver(() => QuestionCitation, { nullable: true, description: "The passage the question comes from; null for hand-made questions." })
  citation(@Root() answer: AnswerWithQuestion): QuestionCitation | null {
    if (answer.keysHidden) return null;
    return answer.question?.citation ?? null;
  }
}

import { Types } from "mongoose";
import type { AiProvider } from "../../infra/ai/provider";
import { shortAnswerGradePrompt } from "../../infra/ai/prompts";
import { raise, type FieldError } from "../../lib/errors";
import type { DomainEventBus } from "../../lib/events";
import type { Logger } from "../../lib/logger";
import { Loaders } from "../../lib/loaders";
import { findPage, type Page } from "../../lib/pagination";
import { writeTogether } from "../../infra/db/write-together";
import { answerAlone, type Reading } from "../../lib/raw-reads";
import { storedSizes } from "../../lib/stored-sizes";
import { QuizAttemptModel, type GradedAnswer, type QuizAttempt } from "./attempt.model";
import { gradeAnswer, matchesAcceptedAnswer, round1, scoreOf } from "./grading";
import { itemStatistics, type AttemptForStats, type ItemStats } from "./item-stats";
import type { AnswerInput } from "./quiz.inputs";
import { QuestionType, QuizSourceType, type Question, type Quiz } from "./quiz.model";
import { QuizStatistics, type QuizStatsRow } from "./quiz-stats";
import type { QuizService } from "./quiz.service";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";
import { createdIn, type CreatedBetween } from "../../lib/period";

declare module "../../lib/events" {
  interface DomainEvents {
    /**
     * An attempt was stored: the leaderboard drops its cache, the dashboard logs the day, the
     * mistakes go to the study deck. `studyingSince` is the learner's `User.studying_since` as
     * their session holds it: set, the user need not be marked as studying again.
     */
    "attempt.stored": { attempt: QuizAttempt; quiz: Quiz; studyingSince?: Date };
  }
}

/** One learner's attempts over all time, counted or not for the leaderboard. */
export interface LearnerTotals {
  attempts: number;
  quizzesTaken: number;
  averagePercent: number;
}

export interface ChapterMisses {
  chapterId: Types.ObjectId;
  answered: number;
  missed: number;
}

/** Attempts (`quiz_history`): grading, history and statistics. */
export class AttemptService {
  constructor(
    private readonly deps: {
      ai: AiProvider;
      quizzes: QuizService;
      events: DomainEventBus;
      log: Logger;
      rules: { firstAttemptOnly: boolean; authorsScore: boolean };
    },
  ) {}

  async ready(): Promise<void> {
    await QuizAttemptModel.init();
    await QuizStatistics.buildIfMissing(this.deps.log);
  }

  /** The check behind `repairQuizStatistics` (`QuizStatistics.repair`). */
  repairStatistics(): Promise<number> {
    return QuizStatistics.repair();
  }

  /**
   * Grades every question (unanswered ones are wrong), stores the attempt and tells the listeners.
   * A quiz assigned to a class of the actor's is taken through the assignment (`forAssignment`).
   * `loaders`, the request's: the quiz and its course are read once for the checks and the answer.
   */
  async submit(actor: Exclude<Actor, null>, quizId: string, answers: AnswerInput[], options: { forAssignment?: boolean; loaders?: Loaders } = {}): Promise<QuizAttempt> {
    const loaders = options.loaders ?? new Loaders();
    // Whether the actor took the quiz before, read with the quiz (one command) when the leaderboard may ask.
    let takenBefore: boolean | undefined;
    const along = this.deps.rules.firstAttemptOnly
      ? { withQuiz: (id: Types.ObjectId) => ({ takenBefore: { read: { model: QuizAttemptModel, filter: { user_id: actor._id, quiz_id: id }, limit: 1, projection: { _id: 1 as const } }, answer: (rows: unknown[]) => (takenBefore = rows.length > 0) } }) }
      : undefined;
    const quiz = await this.deps.quizzes.readableOrFail(actor, quizId, loaders, along);
    if (!options.forAssignment && (await this.deps.quizzes.takenThroughClass(actor, quiz, loaders))) {
      raise("FORBIDDEN", "This quiz is assigned to your class: take it through the assignment (submitAssignment)", { reason: "assigned_quiz" });
    }
    const byQuestion = answersByQuestion(quiz, answers);
    const graded: GradedAnswer[] = [];
    for (const question of quiz.questions) {
      const answer = byQuestion.get(String(question._id));
      const chapterId = question.citation?.source_type === QuizSourceType.CHAPTER ? question.citation.source_id : quiz.chapter_id;
      // Stored as built (no mongoose document): a field without a value is left out, as mongoose leaves it.
      graded.push({
        question_id: question._id,
        selected_options: [...new Set(answer?.selectedOptions ?? [])].sort((a, b) => a - b),
        ...(answer?.text != null && { text: answer.text }),
        correct: await this.grade(question, answer, actor),
        ...(chapterId && { chapter_id: chapterId }),
      });
    }
    const counts = await this.countsForLeaderboard(actor, quiz, loaders, takenBefore);
    await storedSizes.note("GradedAnswer.text", ...graded.map((answer) => answer.text ?? ""));
    const attempt: QuizAttempt = {
      _id: new Types.ObjectId(),
      user_id: actor._id,
      quiz_id: quiz._id,
      ...(quiz.course_id && { course_id: quiz.course_id }),
      answers: graded,
      question_count: quiz.questions.length,
      ...scoreOf(graded.map((answer) => answer.correct)),
      counts_for_leaderboard: counts,
      created_at: new Date(),
    };
    // The attempt and its quiz's statistics in one command; the statistics only once the attempt is stored.
    const [stored] = await writeTogether([{ model: QuizAttemptModel, insertOne: attempt }, QuizStatistics.counting(attempt)]);
    if (stored.error) throw new Error(`quizzes: the attempt was not stored: ${stored.error.message}`);
    await this.deps.events.emit("attempt.stored", { attempt, quiz, studyingSince: actor.studying_since });
    return attempt;
  }

  /**
   * Every attempt reveals the keys, so a retake (or a blank first try followed by a retake)
   * proves nothing; an author knows the keys before starting. Checked before this attempt is
   * stored: two first attempts sent at once both count, the better one wins.
   */
  private async countsForLeaderboard(actor: Exclude<Actor, null>, quiz: Quiz, loaders: Loaders, takenBefore?: boolean): Promise<boolean> {
    const { firstAttemptOnly, authorsScore } = this.deps.rules;
    if (!authorsScore && (await this.deps.quizzes.mayAuthor(actor, quiz, loaders))) return false;
    return !(firstAttemptOnly && (takenBefore ?? (await QuizAttemptModel.exists({ user_id: actor._id, quiz_id: quiz._id })) !== null));
  }

  /** Your attempts, newest first. */
  async mine(actor: Exclude<Actor, null>, quizId: string | null | undefined, page: { skip: number; limit: number }): Promise<Page<QuizAttempt>> {
    const query: Record<string, unknown> = { user_id: actor._id };
    if (quizId) query.quiz_id = asObjectId(quizId) ?? new Types.ObjectId();
    return findPage<QuizAttempt>(QuizAttemptModel, query, { created_at: -1, _id: -1 }, page);
  }

  /** For loaders: attempts and average percent per quiz, in key order. */
  async statsOf(quizIds: readonly Types.ObjectId[]): Promise<QuizStatsRow[]> {
    // Through the driver: read on every quiz page.
    return answerAlone(QuizStatistics.read(quizIds));
  }

  /** `statsOf` as `answerTogether` takes it. */
  statsRead(quizIds: readonly Types.ObjectId[]): Reading<QuizStatsRow[]> {
    return QuizStatistics.read(quizIds);
  }

  async itemStats(quiz: Quiz): Promise<ItemStats[]> {
    const attempts = await QuizAttemptModel.find({ quiz_id: quiz._id }, { percent: 1, answers: 1 }).lean<AttemptForStats[]>().exec();
    return itemStatistics(quiz.questions, attempts);
  }

  /** Per-question statistics of these attempts only (a class's), in question order. */
  async itemStatsAmong(quiz: Quiz, attemptIds: readonly Types.ObjectId[]): Promise<ItemStats[]> {
    const attempts = await this.answersOf(attemptIds);
    return itemStatistics(quiz.questions, attempts);
  }

  /** These attempts' graded answers (with the chapters they are about) and percents. */
  async answersOf(attemptIds: readonly Types.ObjectId[]): Promise<(AttemptForStats & Pick<QuizAttempt, "_id" | "user_id" | "answers">)[]> {
    if (attemptIds.length === 0) return [];
    return QuizAttemptModel.find({ _id: { $in: [...attemptIds] } }, { percent: 1, answers: 1, user_id: 1 }).lean<(AttemptForStats & Pick<QuizAttempt, "_id" | "user_id" | "answers">)[]>().exec();
  }

  /** Every attempt of the user: how many, at how many different quizzes, and their average percent (a read for `readTogether`). */
  totalsRead(userId: Types.ObjectId): Reading<LearnerTotals> {
    return {
      read: {
        model: QuizAttemptModel,
        filter: { user_id: userId },
        then: [{ $group: { _id: null, attempts: { $sum: 1 }, quizzes: { $addToSet: "$quiz_id" }, averagePercent: { $avg: "$percent" } } }],
      },
      answer: ([row]: { attempts: number; quizzes: Types.ObjectId[]; averagePercent: number }[]) => ({
        attempts: row?.attempts ?? 0,
        quizzesTaken: row?.quizzes.length ?? 0,
        averagePercent: round1(row?.averagePercent ?? 0),
      }),
    };
  }

  /** Per chapter, how many of the user's answers to questions about it were wrong (course quizzes count per cited chapter; a read for `readTogether`). */
  missesByChapterRead(userId: Types.ObjectId): Reading<ChapterMisses[]> {
    return {
      read: {
        model: QuizAttemptModel,
        filter: { user_id: userId },
        projection: { answers: 1 },
        then: [
          { $unwind: "$answers" },
          { $match: { "answers.chapter_id": { $exists: true } } },
          {
            $group: {
              _id: "$answers.chapter_id",
              answered: { $sum: 1 },
              missed: { $sum: { $cond: ["$answers.correct", 0, 1] } },
            },
          },
          { $project: { _id: 0, chapterId: "$_id", answered: 1, missed: 1 } },
        ],
      },
      answer: (rows: ChapterMisses[]) => rows,
    };
  }

  /**
   * Short answers that do not match an accepted answer are graded by the model with the accepted
   * answers as the rubric; the offline provider cannot judge meaning, so there matching decides,
   * and so it does when the model is unavailable.
   */
  private async grade(question: Question, answer: AnswerInput | undefined, actor: Exclude<Actor, null>): Promise<boolean> {
    if (gradeAnswer(question, answer)) return true;
    const text = answer?.text?.trim();
    if (question.type !== QuestionType.SHORT_ANSWER || !text || this.deps.ai.name === "offline") return false;
    if (matchesAcceptedAnswer(question.accepted_answers, text)) return true;
    try {
      const graded = await this.deps.ai.generateJson(
        shortAnswerGradePrompt({ question: question.prompt, acceptedAnswers: question.accepted_answers, answer: text }),
        { userId: String(actor._id) },
      );
      return graded.value.correct;
    } catch {
      return false;
    }
  }

  /** How many attempts were submitted in `period`, for the admin dashboard. */
  countSubmitted(period: CreatedBetween): Promise<number> {
    return QuizAttemptModel.countDocuments(createdIn(period)).exec();
  }
}

/** Answers keyed by question; unknown questions, repeats and options out of range are the client's mistake. */
function answersByQuestion(quiz: Quiz, answers: AnswerInput[]): Map<string, AnswerInput> {
  const questions = new Map(quiz.questions.map((question) => [String(question._id), question]));
  const byQuestion = new Map<string, AnswerInput>();
  const fields: FieldError[] = [];
  answers.forEach((answer, i) => {
    const key = String(answer.questionId);
    const question = questions.get(key);
    if (!question) fields.push({ field: `answers.${i}.questionId`, message: "not a question of this quiz" });
    else if (byQuestion.has(key)) fields.push({ field: `answers.${i}.questionId`, message: "answered twice" });
    else if ((answer.selectedOptions ?? []).some((option) => option < 0 || option >= question.options.length)) {
      fields.push({ field: `answers.${i}.selectedOptions`, message: "no such option" });
    }
    byQuestion.set(key, answer);
  });
  if (fields.length > 0) raise("BAD_USER_INPUT", "Some answers do not fit the quiz", { fields });
  return byQuestion;
}

import { dropPrincipalFrom, setGrantOn, type GrantOptions, type GrantRole } from "../../lib/grants";
import type { QueryFilter, Types } from "mongoose";
import type { AiProvider, CallOptions } from "../../infra/ai/provider";
import { raise, type FieldError } from "../../lib/errors";
import { findPage, type Page } from "../../lib/pagination";
import { storedSizes } from "../../lib/stored-sizes";
import { inKeyOrder, type Loaders } from "../../lib/loaders";
import { answerTogether, type Reading } from "../../lib/raw-reads";
import { coursesIn } from "../courses/course.loaders";
import { quizzesIn, type ReadAlong } from "./quiz.loaders";
import type { Course } from "../courses/course.model";
import type { CourseService } from "../courses/course.service";
import { questionProblems, repeatedQuestions, type CandidateQuestion } from "./question-checks";
import { QuizPolicy, quizNotFound } from "./quiz.policy";
import type { QuizCleanup } from "./quiz-cleanup";
import { writeCheckedQuestions } from "./quiz-generator";
import { excerptOf, spreadPassages } from "./quiz-material";
import type { QuizSources } from "./quiz-sources";
import { type CreateQuizInput, type GenerateQuizInput, type QuestionInput, type QuizzesArgs, type UpdateQuizInput } from "./quiz.inputs";
import { QuestionType, QuizModel, type QuestionCitation, type Quiz, QuizDifficulty } from "./quiz.model";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";
import type { Quota } from "../../lib/quota";
import type { UserService } from "../users/user.service";

/** Quizzes: with `QuizCleanup`, the only code that writes `quizzes`. */
export class QuizService {
  constructor(
    private readonly deps: {
      ai: AiProvider;
      /** Generations per user (one budget with course generation). */
      aiWork: Quota;
      courses: CourseService;
      sources: QuizSources;
      cleanup: QuizCleanup;
      /** Whose account is being deleted: a quiz written for them meanwhile is not kept. */
      users: Pick<UserService, "isLeaving">;
      courseQuizAuthors: "editors" | "readers";
    },
  ) {}

  async ready(): Promise<void> {
    await QuizModel.init();
  }

  /** Writes a quiz from the source's passages; every question passed the checks (see `writeCheckedQuestions`). */
  async generate(actor: Exclude<Actor, null>, input: GenerateQuizInput, options: CallOptions = {}): Promise<Quiz> {
    if (this.deps.ai.name === "offline" && input.types && !input.types.includes(QuestionType.SINGLE_CHOICE)) {
      raise("BAD_USER_INPUT", "The offline AI provider writes single-choice questions only", {
        fields: [{ field: "input.types", message: "must include SINGLE_CHOICE with the offline provider" }],
      });
    }
    const source = await this.deps.sources.material(actor, input);
    await this.mayAddTo(actor, source.courseId);
    await this.deps.aiWork.spend(String(actor._id));
    const passages = spreadPassages(source.passages);
    if (passages.length === 0) raise("BAD_USER_INPUT", "The source has no text to write questions from");
    const written = await writeCheckedQuestions(
      this.deps.ai,
      passages,
      { numQuestions: input.numQuestions, difficulty: input.difficulty ?? QuizDifficulty.MEDIUM, types: input.types ?? undefined },
      { ...options, userId: String(actor._id) },
    );
    await noteQuestionTexts([...written.questions, ...written.rejected]);
    const created = await QuizModel.create({
      title: input.title?.trim() || `Quiz: ${source.title}`,
      owner_id: actor._id,
      source_type: source.type,
      source_id: source.id,
      course_id: source.courseId,
      chapter_id: source.chapterId,
      questions: written.questions.map((question) => {
        const passage = passages[question.passage - 1];
        const citation: QuestionCitation = {
          source_type: passage.sourceType,
          source_id: passage.sourceId,
          source_title: passage.sourceTitle,
          passage_index: passage.index,
          excerpt: excerptOf(passage.text),
          page_start: passage.pageStart,
          page_end: passage.pageEnd,
        };
        return { ...storedQuestion(question), citation };
      }),
      generation: {
        requested: input.numQuestions,
        regenerated: written.regenerated,
        rejected: written.rejected,
        provider: this.deps.ai.name,
      },
    });
    if (await this.deps.users.isLeaving(actor._id)) {
      await this.deps.cleanup.deleteQuiz(created._id);
      raise("NOT_FOUND", "The account this quiz was written for no longer exists");
    }
    return this.byIdOrFail(created._id);
  }

  async create(actor: Exclude<Actor, null>, input: CreateQuizInput): Promise<Quiz> {
    const questions = checkedInput(input.questions, "input.questions");
    const source = await this.deps.sources.material(actor, input);
    await this.mayAddTo(actor, source.courseId);
    await noteQuestionTexts(questions);
    const created = await QuizModel.create({
      title: input.title.trim(),
      owner_id: actor._id,
      source_type: source.type,
      source_id: source.id,
      course_id: source.courseId,
      chapter_id: source.chapterId,
      questions: questions.map(storedQuestion),
    });
    return this.byIdOrFail(created._id);
  }

  async update(actor: Actor, id: string, input: UpdateQuizInput): Promise<Quiz> {
    const quiz = await this.authoredOrFail(actor, id);
    const set: Record<string, unknown> = {};
    if (input.title) set.title = input.title.trim();
    if (input.questions) {
      const questions = checkedInput(input.questions, "input.questions");
      await noteQuestionTexts(questions);
      set.questions = questions.map(storedQuestion);
    }
    if (Object.keys(set).length > 0) await QuizModel.updateOne({ _id: quiz._id }, { $set: set }).exec();
    return this.byIdOrFail(quiz._id);
  }

  /** Deletes the quiz and every attempt at it. */
  async delete(actor: Actor, id: string): Promise<boolean> {
    const quiz = await this.authoredOrFail(actor, id);
    return this.deps.cleanup.deleteQuiz(quiz._id);
  }

  /**
   * The quiz if the actor may read it; with the request's `loaders`, its course is read through
   * them (its fields need it too), and what a page reads `along` goes in the same commands.
   */
  async readable(actor: Actor, id: string | Types.ObjectId, loaders?: Loaders, along: ReadAlong = {}): Promise<Quiz | null> {
    const quizId = asObjectId(id);
    if (!quizId) return null;
    // Through the driver: read on every quiz page.
    const quiz = along.withQuiz
      ? (await answerTogether<Record<string, unknown>>({ ...along.withQuiz(quizId), quiz: { read: { model: QuizModel, filter: { _id: quizId }, limit: 1 }, answer: ([found]: Quiz[]) => found ?? null } })).quiz as Quiz | null
      : await QuizModel.collection.findOne<Quiz>({ _id: quizId });
    if (!quiz) return null;
    // The rest of the request (an attempt's answer, its `quiz` field) reads it from the loader.
    if (loaders) quizzesIn(loaders, this).prime(quiz._id, quiz);
    const course = loaders && along.withCourse && quiz.course_id ? await this.courseWith(quiz.course_id, loaders, along.withCourse(quiz)) : await this.courseOf(quiz, loaders);
    return QuizPolicy.canRead(actor, quiz, course) ? quiz : null;
  }

  async readableOrFail(actor: Actor, id: string | Types.ObjectId, loaders?: Loaders, along?: ReadAlong): Promise<Quiz> {
    return (await this.readable(actor, id, loaders, along)) ?? quizNotFound();
  }

  /**
   * Quizzes newest first: a course's quizzes for whoever may read the course, else your own
   * (everyone's for an admin who does not ask for `mine`).
   */
  async list(actor: Exclude<Actor, null>, args: QuizzesArgs): Promise<Page<Quiz>> {
    const and: QueryFilter<Quiz>[] = [];
    if (args.courseId) {
      const course = (await this.deps.courses.readable(actor, args.courseId)) ?? raise("NOT_FOUND", "Course not found");
      and.push({ course_id: course._id });
    }
    if (QuizPolicy.listsOnlyOwn(actor, args)) and.push({ owner_id: actor._id });
    const query = and.length > 0 ? { $and: and } : {};
    return findPage<Quiz>(QuizModel, query, { created_at: -1, _id: -1 }, args);
  }

  /** Adds, changes or removes (`role` null) a share of a quiz; the caller checked who may share it. */
  async setGrant(quizId: Types.ObjectId, principal: Types.ObjectId, role: GrantRole | null, options?: GrantOptions): Promise<void> {
    await setGrantOn(QuizModel, quizId, principal, role, options);
  }

  /** Removes every share naming `principal` (a deleted class) and every assignment of it to that class. */
  async dropClass(classId: Types.ObjectId): Promise<void> {
    await dropPrincipalFrom(QuizModel, classId);
    await QuizModel.updateMany({ "assigned_to.class_id": classId }, { $pull: { assigned_to: { class_id: classId } } }).exec();
  }

  /** Keeps the keys from non-authors' attempts until `until` (the latest such date wins). */
  async hideKeysUntil(quizId: Types.ObjectId, until: Date): Promise<void> {
    await QuizModel.updateOne({ _id: quizId }, { $max: { keys_hidden_until: until } }).exec();
  }

  /** Notes (or, with `until` null and `remove`, drops) a class assignment of the quiz: see `Quiz.assigned_to`. */
  async setAssigned(quizId: Types.ObjectId, entry: { class_id: Types.ObjectId; assignment_id: Types.ObjectId; until?: Date }, remove = false): Promise<void> {
    const update = remove ? { $pull: { assigned_to: { assignment_id: entry.assignment_id } } } : { $push: { assigned_to: entry } };
    await QuizModel.updateOne({ _id: quizId }, update).exec();
  }

  /** Whether the actor takes this quiz only through a class assignment now. */
  async takenThroughClass(actor: Actor, quiz: Quiz, loaders?: Loaders): Promise<boolean> {
    return QuizPolicy.takenThroughClass(actor, quiz, await this.courseOf(quiz, loaders));
  }

  /** Whether the actor may share the quiz (whoever authors it). */
  async mayShare(actor: Actor, quiz: Quiz): Promise<boolean> {
    return QuizPolicy.canShare(actor, quiz, await this.courseOf(quiz));
  }

  /** For loaders: quizzes in key order, null for missing ones (callers check access). */
  async byIds(ids: readonly Types.ObjectId[]): Promise<(Quiz | null)[]> {
    const found = await QuizModel.find({ _id: { $in: ids } }).lean<Quiz[]>().exec();
    return inKeyOrder(ids, found, (quiz) => quiz._id, null);
  }

  /** Whether the actor may edit the quiz and read its keys (its owner, its course's owner, admins). */
  async mayAuthor(actor: Actor, quiz: Quiz, loaders?: Loaders): Promise<boolean> {
    return QuizPolicy.canAuthor(actor, quiz, await this.courseOf(quiz, loaders));
  }

  private async authoredOrFail(actor: Actor, id: string): Promise<Quiz> {
    const quiz = await this.readableOrFail(actor, id);
    if (!(await this.mayAuthor(actor, quiz))) raise("FORBIDDEN", "Only the quiz's owner, its course's owner or an admin may change it");
    return quiz;
  }

  /** FORBIDDEN unless the actor may add quizzes to the source's course (a readable, public course is not enough). */
  private async mayAddTo(actor: Exclude<Actor, null>, courseId: Types.ObjectId | undefined): Promise<void> {
    if (!courseId || this.deps.courseQuizAuthors === "readers") return;
    const [course] = await this.deps.courses.byIds([courseId]);
    if (course && !QuizPolicy.canAddTo(actor, course)) {
      raise("FORBIDDEN", "Only the course's owner or an admin may add quizzes to it");
    }
  }

  /** How many quizzes there are, for the admin dashboard. */
  count(): Promise<number> {
    return QuizModel.countDocuments().exec();
  }

  private async courseOf(quiz: Quiz, loaders?: Loaders): Promise<Course | null> {
    if (!quiz.course_id) return null;
    if (loaders) return coursesIn(loaders, this.deps.courses).load(quiz.course_id);
    const [course] = await this.deps.courses.byIds([quiz.course_id]);
    return course;
  }

  /** The course, read in one command with `along`, into the request's course loader. */
  private async courseWith(courseId: Types.ObjectId, loaders: Loaders, along: Record<string, Reading<unknown>>): Promise<Course | null> {
    const { course } = await answerTogether<Record<string, unknown>>({ ...along, course: this.deps.courses.byIdsRead([courseId]) });
    const [found] = course as (Course | null)[];
    coursesIn(loaders, this.deps.courses).prime(courseId, found);
    return found;
  }

  private async byIdOrFail(id: Types.ObjectId): Promise<Quiz> {
    return (await QuizModel.findById(id).lean<Quiz>().exec()) ?? quizNotFound();
  }
}

/** Hand-written questions pass the same checks as generated ones, except citing a passage. */
function checkedInput(questions: QuestionInput[], path: string): CandidateQuestion[] {
  const candidates: CandidateQuestion[] = questions.map((question) => ({
    type: question.type,
    prompt: question.prompt.trim(),
    options: (question.options ?? []).map((option) => option.trim()),
    correct: question.correctOptions ?? [],
    acceptedAnswers: (question.acceptedAnswers ?? []).map((answer) => answer.trim()).filter(Boolean),
    explanation: question.explanation?.trim() ?? "",
  }));
  const fields: FieldError[] = candidates.flatMap((question, i) =>
    questionProblems(question, { requireExplanation: false }).map((message) => ({ field: `${path}.${i}`, message })),
  );
  for (const i of repeatedQuestions(candidates.map((question) => question.prompt))) {
    fields.push({ field: `${path}.${i}.prompt`, message: "repeats another question" });
  }
  if (fields.length > 0) raise("BAD_USER_INPUT", "Some questions cannot be stored", { fields });
  return candidates;
}

/** Raises the figure the response estimate prices question texts by (lib/stored-sizes.ts). */
function noteQuestionTexts(questions: Partial<Pick<CandidateQuestion, "prompt" | "options" | "acceptedAnswers" | "explanation">>[]): Promise<void> {
  return storedSizes.note(
    "Question.text",
    ...questions.flatMap((question) => [question.prompt ?? "", ...(question.options ?? []), ...(question.acceptedAnswers ?? []), question.explanation ?? ""]),
  );
}

function storedQuestion(question: CandidateQuestion) {
  return {
    type: question.type,
    prompt: question.prompt,
    options: question.options,
    correct_options: question.correct,
    accepted_answers: question.acceptedAnswers,
    explanation: question.explanation,
  };
}

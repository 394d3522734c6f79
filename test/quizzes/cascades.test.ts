import { setTimeout as sleep } from "node:timers/promises";
import { DeleteChapterDocument, DeleteCourseDocument, DeleteQuizDocument, DeleteUploadDocument, GenerateQuizDocument, LeaderboardDocument, MyQuizAttemptsDocument, QuizDocument } from "../generated/graphql";
import { settled, uploaded } from "../uploads/support";
import { CHAPTER_CONTENT, createQuiz, enroll, errorCode, everyTypeAnswers, ok, publicCourseWithChapter, startCourseWorld, submit, type CourseWorld, type Session } from "./support";

describe("quizzes of uploads, and what deleting takes with it", () => {
  let world: CourseWorld;
  let learner: Session;

  beforeAll(async () => {
    world = await startCourseWorld();
    learner = await world.user();
  });

  afterAll(() => world.server.stop());

  const points = async (session: Session) => ok(await world.gql(LeaderboardDocument, {}, { token: session.accessToken })).leaderboard.me?.points ?? 0;
  const attempts = async (session: Session) => ok(await world.gql(MyQuizAttemptsDocument, {}, { token: session.accessToken })).myQuizAttempts.total;

  it("an upload's quiz cites its passages, is its owner's alone, and goes with the upload", async () => {
    const upload = await uploaded(world, learner.accessToken, "plants.txt", CHAPTER_CONTENT.replace(/^# .*\n/, ""));
    expect((await settled(world, learner.accessToken, upload.id)).status).toBe("READY");
    const quiz = ok(await world.gql(GenerateQuizDocument, { input: { uploadId: upload.id, numQuestions: 2 } }, { token: learner.accessToken })).generateQuiz;
    expect(quiz).toMatchObject({ sourceType: "UPLOAD", sourceId: upload.id, courseId: null });
    for (const question of quiz.questions) expect(question.citation).toMatchObject({ sourceType: "UPLOAD", sourceId: upload.id, sourceTitle: "plants" });

    const stranger = await world.user();
    expect(ok(await world.gql(QuizDocument, { id: quiz.id }, { token: stranger.accessToken })).quiz).toBeNull();
    const strangerGenerates = await world.gql(GenerateQuizDocument, { input: { uploadId: upload.id, numQuestions: 1 } }, { token: stranger.accessToken });
    expect(errorCode(strangerGenerates)).toBe("NOT_FOUND");

    await submit(world.gql, learner.accessToken, quiz.id, []);
    expect(await attempts(learner)).toBe(1);
    ok(await world.gql(DeleteUploadDocument, { id: upload.id }, { token: learner.accessToken }));
    expect(ok(await world.gql(QuizDocument, { id: quiz.id }, { token: learner.accessToken })).quiz).toBeNull();
    expect(await attempts(learner)).toBe(0);
  });

  it("deleting a course deletes its quizzes and their attempts, and the leaderboard forgets their points", async () => {
    const { instructor, course, chapter } = await publicCourseWithChapter(world);
    await enroll(world.gql, learner.accessToken, course.id);
    const quiz = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapter.id });
    await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, true, true, true]));
    expect(await points(learner)).toBe(40);

    ok(await world.gql(DeleteCourseDocument, { id: course.id }, { token: instructor.accessToken }));
    expect(ok(await world.gql(QuizDocument, { id: quiz.id }, { token: world.admin.accessToken })).quiz).toBeNull();
    expect(await attempts(learner)).toBe(0);
    expect(await points(learner)).toBe(0);
  });

  it("an admin may delete anyone's quiz; a reader who is not an author may not", async () => {
    const { instructor, course } = await publicCourseWithChapter(world);
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id });
    await submit(world.gql, learner.accessToken, quiz.id, everyTypeAnswers(quiz, [true, false, false, false]));
    expect(await points(learner)).toBe(10);

    expect(errorCode(await world.gql(DeleteQuizDocument, { id: quiz.id }, { token: learner.accessToken }))).toBe("FORBIDDEN");
    expect(ok(await world.gql(DeleteQuizDocument, { id: quiz.id }, { token: world.admin.accessToken })).deleteQuiz).toBe(true);
    expect(ok(await world.gql(QuizDocument, { id: quiz.id }, { token: instructor.accessToken })).quiz).toBeNull();
    expect(await points(learner)).toBe(0);
    expect(errorCode(await world.gql(DeleteQuizDocument, { id: quiz.id }, { token: world.admin.accessToken }))).toBe("NOT_FOUND");
  });

  it("deleting a chapter deletes its quizzes soon after, and leaves the course's other quizzes", async () => {
    const { instructor, course, chapter } = await publicCourseWithChapter(world);
    const chapterQuiz = await createQuiz(world.gql, instructor.accessToken, { chapterId: chapter.id });
    const courseQuiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id });
    ok(await world.gql(DeleteChapterDocument, { id: chapter.id }, { token: instructor.accessToken }));
    const deadline = Date.now() + 5_000;
    while (ok(await world.gql(QuizDocument, { id: chapterQuiz.id }, { token: instructor.accessToken })).quiz !== null) {
      if (Date.now() > deadline) throw new Error("the chapter's quiz is still there");
      await sleep(20);
    }
    expect(ok(await world.gql(QuizDocument, { id: courseQuiz.id }, { token: instructor.accessToken })).quiz?.id).toBe(courseQuiz.id);
  });
});

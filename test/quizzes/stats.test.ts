import { QuizDocument, type AnswerInput } from "../generated/graphql";
import { createQuiz, ok, publicCourseWithChapter, startCourseWorld, submit, type CourseWorld } from "./support";

const question = (prompt: string) => ({ type: "SINGLE_CHOICE" as const, prompt, options: ["right", "wrong", "other"], correctOptions: [0] });

describe("item statistics", () => {
  let world: CourseWorld;

  beforeAll(async () => {
    world = await startCourseWorld();
  });

  afterAll(() => world.server.stop());

  it("show per question the share answering correctly and the choices, and flag suspicious questions for authors only", async () => {
    const { instructor, course } = await publicCourseWithChapter(world);
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, [
      question("Missed by everyone"),
      question("Missed by the best"),
      question("Third"),
      question("Fourth"),
      question("Fifth"),
    ]);
    const ids = quiz.questions.map((q) => q.id);
    const answers = (right: number[]): AnswerInput[] => ids.map((questionId, i) => ({ questionId, selectedOptions: [right.includes(i) ? 0 : 1] }));
    const learner = await world.user();
    // Two strong attempts (60%), four middling (40%), two weak (20%) that get only question 2 right.
    const scripted = [[2, 3, 4], [2, 3, 4], [2, 3], [2, 3], [2, 3], [2, 3], [1], [1]];
    for (const right of scripted) await submit(world.gql, learner.accessToken, quiz.id, answers(right));

    const read = ok(await world.gql(QuizDocument, { id: quiz.id }, { token: instructor.accessToken })).quiz!;
    expect(read.stats).toEqual({ attempts: 8, averagePercent: 40 });
    const stats = read.questionStats!;
    expect(stats.map((item) => item.questionId)).toEqual(ids);
    expect(stats.map((item) => item.correctShare)).toEqual([0, 0.25, 0.75, 0.75, 0.25]);
    expect(stats[0].optionCounts).toEqual([0, 8, 0]);
    expect(stats[1].optionCounts).toEqual([2, 6, 0]);
    expect(stats.map((item) => item.answered)).toEqual([8, 8, 8, 8, 8]);
    expect(stats.map((item) => item.flags)).toEqual([["ALMOST_EVERYONE_MISSES"], ["BEST_SCORERS_MISS_MORE"], [], [], []]);

    const asLearner = ok(await world.gql(QuizDocument, { id: quiz.id }, { token: learner.accessToken })).quiz!;
    expect(asLearner.stats).toEqual({ attempts: 8, averagePercent: 40 });
    expect(asLearner.questionStats).toBeNull();
  });

  it("flag nothing before five attempts", async () => {
    const { instructor, course } = await publicCourseWithChapter(world, "Few attempts");
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, [question("Hard"), question("Easy")]);
    const learner = await world.user();
    for (let i = 0; i < 4; i++) {
      await submit(world.gql, learner.accessToken, quiz.id, [{ questionId: quiz.questions[0].id, selectedOptions: [2] }]);
    }
    const read = ok(await world.gql(QuizDocument, { id: quiz.id }, { token: instructor.accessToken })).quiz!;
    expect(read.questionStats!.map((item) => [item.correctShare, item.answered, item.flags])).toEqual([
      [0, 4, []],
      [0, 0, []],
    ]);
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import mongoose from "mongoose";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { DeleteQuizDocument, DeleteUserDocument, QuizDocument, RepairQuizStatisticsDocument, type AnswerInput } from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startInstance, type Instance } from "../helpers/instance";
import { logWhen } from "../helpers/log-file";
import { registerUser } from "../accounts/support";
import { createCourse, errorCode } from "../courses/support";
import { createQuiz, ok, publicCourseWithChapter, startCourseWorld, submit, type CourseWorld } from "./support";

/**
 * A quiz page's statistics (attempts, average percent) come from `quiz_stats`, counted with each
 * attempt (issue 30: one small read instead of grouping every attempt): they must say what the
 * attempts say through every way attempts come and go.
 */
const question = (prompt: string) => ({ type: "SINGLE_CHOICE" as const, prompt, options: ["right", "wrong"], correctOptions: [0] });
const QUESTIONS = [question("One"), question("Two"), question("Three"), question("Four")];

function answersWith(quiz: { questions: { id: string }[] }, right: number): AnswerInput[] {
  return quiz.questions.map((item, i) => ({ questionId: item.id, selectedOptions: [i < right ? 0 : 1] }));
}

async function statsOf(world: CourseWorld, token: string, quizId: string) {
  return ok(await world.gql(QuizDocument, { id: quizId }, { token })).quiz?.stats;
}

describe("quiz statistics", () => {
  let world: CourseWorld;
  beforeAll(async () => {
    world = await startCourseWorld();
  });
  afterAll(() => world.server.stop());

  it("count every attempt as it is stored, and lose a deleted learner's attempts", async () => {
    const { instructor, course } = await publicCourseWithChapter(world, "Counted");
    const quiz = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, QUESTIONS);
    const other = await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, QUESTIONS, "Untouched");
    expect(await statsOf(world, instructor.accessToken, quiz.id)).toEqual({ attempts: 0, averagePercent: 0 });

    const [staying, leaving] = [await world.user(), await world.user()];
    await submit(world.gql, staying.accessToken, quiz.id, answersWith(quiz, 1)); // 25 %
    await submit(world.gql, staying.accessToken, quiz.id, answersWith(quiz, 4)); // 100 %
    await submit(world.gql, leaving.accessToken, quiz.id, answersWith(quiz, 3)); // 75 %
    await submit(world.gql, leaving.accessToken, other.id, answersWith(other, 2)); // 50 %
    expect(await statsOf(world, staying.accessToken, quiz.id)).toEqual({ attempts: 3, averagePercent: 66.7 });
    expect(await statsOf(world, staying.accessToken, other.id)).toEqual({ attempts: 1, averagePercent: 50 });

    ok(await world.gql(DeleteUserDocument, { userId: leaving.user.id }, { token: world.admin.accessToken }));
    expect(await statsOf(world, staying.accessToken, quiz.id)).toEqual({ attempts: 2, averagePercent: 62.5 });
    expect(await statsOf(world, staying.accessToken, other.id)).toEqual({ attempts: 0, averagePercent: 0 });
    // Nothing is left counting attempts no one has any more.
    expect(await mongoose.connection.collection("quiz_stats").countDocuments({ _id: new mongoose.Types.ObjectId(other.id) })).toBe(0);

    ok(await world.gql(DeleteQuizDocument, { id: quiz.id }, { token: instructor.accessToken }));
    expect(await mongoose.connection.collection("quiz_stats").countDocuments({ _id: new mongoose.Types.ObjectId(quiz.id) })).toBe(0);
    expect(ok(await world.gql(RepairQuizStatisticsDocument, {}, { token: world.admin.accessToken })).repairQuizStatistics).toBe(0);
  });

  it("are rebuilt by `repairQuizStatistics` where out of step, and only there", async () => {
    const { instructor, course } = await publicCourseWithChapter(world, "Repaired");
    const [drifted, lost, right] = [
      await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, QUESTIONS, "Drifted"),
      await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, QUESTIONS, "Lost"),
      await createQuiz(world.gql, instructor.accessToken, { courseId: course.id }, QUESTIONS, "Right"),
    ];
    const learner = await world.user();
    for (const quiz of [drifted, lost, right]) await submit(world.gql, learner.accessToken, quiz.id, answersWith(quiz, 3));
    expect(ok(await world.gql(RepairQuizStatisticsDocument, {}, { token: world.admin.accessToken })).repairQuizStatistics).toBe(0);

    const stats = mongoose.connection.collection("quiz_stats");
    await stats.updateOne({ _id: new mongoose.Types.ObjectId(drifted.id) }, { $set: { attempts: 7, percent_sum: 10 } });
    await stats.deleteOne({ _id: new mongoose.Types.ObjectId(lost.id) });
    // Counts of a quiz that is gone.
    await stats.insertOne({ _id: new mongoose.Types.ObjectId(), attempts: 2, percent_sum: 100 });
    expect(await statsOf(world, learner.accessToken, drifted.id)).toEqual({ attempts: 7, averagePercent: 1.4 });

    expect(ok(await world.gql(RepairQuizStatisticsDocument, {}, { token: world.admin.accessToken })).repairQuizStatistics).toBe(3);
    for (const quiz of [drifted, lost, right]) expect(await statsOf(world, learner.accessToken, quiz.id)).toEqual({ attempts: 1, averagePercent: 75 });
    expect(ok(await world.gql(RepairQuizStatisticsDocument, {}, { token: world.admin.accessToken })).repairQuizStatistics).toBe(0);

    expect(errorCode(await world.gql(RepairQuizStatisticsDocument, {}, { token: learner.accessToken }))).toBe("FORBIDDEN");
  });
});

describe("a database whose attempts were stored before quiz statistics existed", () => {
  let engine: EmbeddedMongo;
  let instance: Instance | undefined;
  afterAll(async () => {
    await instance?.stop();
    await engine?.stop();
  });

  it("has them built when the server starts", async () => {
    engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
    // One database and one signing key for both servers: the learner's session outlives the first.
    const env = { MONGODB_URL: engine.uri, DATABASE_NAME: `quiz_stats_${randomUUID().slice(0, 8)}`, JWT_SECRET_KEY: randomBytes(32).toString("hex"), BCRYPT_COST: "4" };
    instance = await startInstance(env);
    const gql = graphqlClient(instance.graphqlUrl);
    const author = await registerUser(gql);
    const course = await createCourse(gql, author.accessToken, { title: "Older" });
    const quiz = await createQuiz(gql, author.accessToken, { courseId: course.id }, QUESTIONS);
    await submit(gql, author.accessToken, quiz.id, answersWith(quiz, 2));
    await submit(gql, author.accessToken, quiz.id, answersWith(quiz, 4));
    await instance.stop();
    const client = await MongoClient.connect(engine.uri);
    try {
      await client.db(env.DATABASE_NAME).collection("quiz_stats").deleteMany({});
    } finally {
      await client.close();
    }

    instance = await startInstance(env);
    // Built once the database is reached, which may follow the start of serving.
    const logs = await logWhen(() => instance!.logs.join("\n"), (text) => text.includes("quiz statistics built from the stored attempts"), 20_000);
    expect(logs).toContain('"quizzes":1');
    const shown = ok(await graphqlClient(instance.graphqlUrl)(QuizDocument, { id: quiz.id }, { token: author.accessToken })).quiz?.stats;
    expect(shown).toEqual({ attempts: 2, averagePercent: 75 });
  });
});

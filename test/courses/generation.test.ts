import {
  CourseGenerationJobDocument,
  CoursesDocument,
  GenerateCourseDocument,
  OnCourseGenerationDocument,
  StartCourseGenerationDocument,
  type GenerationJobFieldsFragment,
} from "../generated/graphql";
import { FAKE_GEMINI_API_KEY, startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { subscribe, wsClient } from "../helpers/ws";
import { errorCode, failedFields, ok, startCourseWorld, type CourseWorld, type Session } from "./support";

const input = { topic: "Photosynthesis in plants", level: "BEGINNER" as const, numChapters: 3 };

function outline(chapters: number) {
  return {
    title: "Photosynthesis",
    description: "How plants turn light into sugar.",
    chapters: Array.from({ length: chapters }, (_, i) => ({
      title: `Stage ${i + 1}`,
      content: `## Stage ${i + 1}\n\nWhat happens in stage ${i + 1}.`,
      durationMinutes: 10 + i,
    })),
  };
}

/** Every event of a job's subscription until the server completes it. */
async function followJob(world: CourseWorld, token: string, jobId: string): Promise<GenerationJobFieldsFragment[]> {
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${token}` });
  try {
    const events: GenerationJobFieldsFragment[] = [];
    for await (const result of subscribe(client, OnCourseGenerationDocument, { jobId })) {
      if (result.errors) throw new Error(JSON.stringify(result.errors));
      events.push(result.data!.courseGeneration);
    }
    return events;
  } finally {
    await client.dispose();
  }
}

async function myCourseCount(world: CourseWorld, token: string): Promise<number> {
  return ok(await world.gql(CoursesDocument, { filter: { owner: "MINE" } }, { token })).courses.total;
}

describe("with the offline provider", () => {
  let world: CourseWorld;
  let student: Session;

  beforeAll(async () => {
    world = await startCourseWorld();
    student = await world.user();
  });
  afterAll(() => world.server.stop());

  it("writes a private AI_GENERATED course with the chapters asked for, in order", async () => {
    const course = ok(await world.gql(GenerateCourseDocument, { input: { ...input, numChapters: 5 } }, { token: student.accessToken })).generateCourse;
    expect(course).toMatchObject({ source: "AI_GENERATED", level: "BEGINNER", isPublic: false });
    expect(course.title).toContain("Photosynthesis in plants");
    expect(course.chapters.map((chapter) => chapter.order)).toEqual([1, 2, 3, 4, 5]);
    expect(course.chapters.every((chapter) => chapter.content.length > 0 && chapter.durationMinutes > 0)).toBe(true);
    expect(course.outline.split("\n")).toHaveLength(5);
  });

  it.each([
    ["topic", { topic: "abc" }],
    ["topic", { topic: "x".repeat(201) }],
    ["numChapters", { numChapters: 2 }],
    ["numChapters", { numChapters: 21 }],
  ])("refuses a bad %s with BAD_USER_INPUT naming it", async (field, change) => {
    const response = await world.gql(GenerateCourseDocument, { input: { ...input, ...change } }, { token: student.accessToken });
    expect(errorCode(response)).toBe("BAD_USER_INPUT");
    expect(failedFields(response)).toContain(field);
  });

  it("needs a sign-in", async () => {
    expect(errorCode(await world.gql(GenerateCourseDocument, { input }))).toBe("UNAUTHENTICATED");
    expect(errorCode(await world.gql(StartCourseGenerationDocument, { input }))).toBe("UNAUTHENTICATED");
  });

  it("runs as a job; a subscriber joining after it finished gets the final state and the end", async () => {
    const job = ok(await world.gql(StartCourseGenerationDocument, { input }, { token: student.accessToken })).startCourseGeneration;
    expect(job).toMatchObject({ stage: "QUEUED", chaptersWritten: 0, totalChapters: 3, courseId: null, error: null });
    const read = async () => ok(await world.gql(CourseGenerationJobDocument, { jobId: job.id }, { token: student.accessToken })).courseGenerationJob!;
    let finished = await read();
    for (let tries = 0; finished.stage !== "DONE" && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = await read();
    }
    expect(finished).toMatchObject({ stage: "DONE", chaptersWritten: 3, error: null, course: { id: finished.courseId, chapterCount: 3 } });
    const events = await followJob(world, student.accessToken, job.id);
    expect(events).toEqual([{ id: job.id, stage: "DONE", chaptersWritten: 3, totalChapters: 3, courseId: finished.courseId, error: null }]);
  });

  it("reports a job abandoned by a stopped server as FAILED once its lease ran out", async () => {
    const { JobModel, JobStatus } = await import("../../src/infra/jobs");
    const abandoned = await JobModel.create({
      kind: "course_generation",
      owner_id: student.user.id,
      status: JobStatus.RUNNING,
      progress: { stage: "WRITING_OUTLINE", chaptersWritten: 0, totalChapters: 3 },
      lease_until: new Date(Date.now() - 1000),
    });
    const jobId = String(abandoned._id);
    const read = ok(await world.gql(CourseGenerationJobDocument, { jobId }, { token: student.accessToken })).courseGenerationJob;
    expect(read).toMatchObject({ stage: "FAILED", courseId: null, error: expect.stringMatching(/interrupted/) });
    const events = await followJob(world, student.accessToken, jobId);
    expect(events.map((event) => event.stage)).toEqual(["FAILED"]);
  });

  it("keeps a job to its owner: others get null and NOT_FOUND", async () => {
    const job = ok(await world.gql(StartCourseGenerationDocument, { input }, { token: student.accessToken })).startCourseGeneration;
    const other = await world.user();
    expect(ok(await world.gql(CourseGenerationJobDocument, { jobId: job.id }, { token: other.accessToken })).courseGenerationJob).toBeNull();
    await expect(followJob(world, other.accessToken, job.id)).rejects.toThrow(/NOT_FOUND/);
    const adminView = ok(await world.gql(CourseGenerationJobDocument, { jobId: job.id }, { token: world.admin.accessToken }));
    expect(adminView.courseGenerationJob?.id).toBe(job.id);
  });
});

describe("with Gemini (the fake server)", () => {
  let fake: FakeGemini;
  let world: CourseWorld;
  let student: Session;

  beforeAll(async () => {
    fake = await startFakeGemini();
    world = await startCourseWorld({
      AI_PROVIDER: "gemini",
      GOOGLE_API_KEY: FAKE_GEMINI_API_KEY,
      GEMINI_BASE_URL: fake.url,
      AI_MAX_RETRIES: "1",
      AI_RETRY_BASE_MS: "1",
      AI_RETRY_MAX_MS: "5",
      AI_TIMEOUT_MS: "5000",
    });
    student = await world.user();
  });
  afterAll(async () => {
    await world.server.stop();
    await fake.stop();
  });
  beforeEach(() => fake.reset());

  it("stores the model's outline as the course and its chapters", async () => {
    fake.enqueue("generateContent", { json: outline(3) });
    const course = ok(await world.gql(GenerateCourseDocument, { input: { ...input, language: "English" } }, { token: student.accessToken })).generateCourse;
    expect(course).toMatchObject({ title: "Photosynthesis", description: "How plants turn light into sugar.", source: "AI_GENERATED" });
    expect(course.chapters.map((chapter) => [chapter.title, chapter.order, chapter.durationMinutes])).toEqual([
      ["Stage 1", 1, 10],
      ["Stage 2", 2, 11],
      ["Stage 3", 3, 12],
    ]);
    expect(JSON.stringify(fake.requests[0].body)).toContain("Write in English");
  });

  it("repairs a malformed outline by asking the model again", async () => {
    const broken = outline(3);
    broken.chapters[1] = { ...broken.chapters[1], content: "" };
    fake.enqueue("generateContent", { json: broken }, { json: outline(3) });
    const course = ok(await world.gql(GenerateCourseDocument, { input }, { token: student.accessToken })).generateCourse;
    expect(course.chapters).toHaveLength(3);
    expect(fake.requests.filter((request) => request.task === "generateContent")).toHaveLength(2);
  });

  it("asks again when the outline has the wrong number of chapters", async () => {
    fake.enqueue("generateContent", { json: outline(2) }, { json: outline(3) });
    const course = ok(await world.gql(GenerateCourseDocument, { input }, { token: student.accessToken })).generateCourse;
    expect(course.chapters).toHaveLength(3);
    expect(JSON.stringify(fake.requests[1].body)).toContain("exactly 3 chapters");
  });

  it("rejects an outline still malformed after the repair with AI_UNAVAILABLE, storing nothing", async () => {
    const before = await myCourseCount(world, student.accessToken);
    fake.enqueue("generateContent", { raw: "not json at all" }, { json: { title: "No chapters" } });
    const response = await world.gql(GenerateCourseDocument, { input }, { token: student.accessToken });
    expect(errorCode(response)).toBe("AI_UNAVAILABLE");
    expect(await myCourseCount(world, student.accessToken)).toBe(before);
  });

  it("gives AI_UNAVAILABLE when the service keeps failing, storing nothing", async () => {
    const before = await myCourseCount(world, student.accessToken);
    fake.setDefault("generateContent", { error: 503 });
    const response = await world.gql(GenerateCourseDocument, { input }, { token: student.accessToken });
    expect(errorCode(response)).toBe("AI_UNAVAILABLE");
    expect(await myCourseCount(world, student.accessToken)).toBe(before);
  });

  it("reports a job's progress: outline ready, each chapter written, then done with the course", async () => {
    // A slow model gives the subscriber time to join before anything happens.
    fake.enqueue("generateContent", { json: outline(3), delayMs: 400 });
    const job = ok(await world.gql(StartCourseGenerationDocument, { input }, { token: student.accessToken })).startCourseGeneration;
    const events = await followJob(world, student.accessToken, job.id);
    expect(events[0].stage).toMatch(/QUEUED|WRITING_OUTLINE/);
    expect(events.slice(-5).map((event) => [event.stage, event.chaptersWritten, event.totalChapters])).toEqual([
      ["OUTLINE_READY", 0, 3],
      ["CHAPTER_WRITTEN", 1, 3],
      ["CHAPTER_WRITTEN", 2, 3],
      ["CHAPTER_WRITTEN", 3, 3],
      ["DONE", 3, 3],
    ]);
    expect(events.at(-1)?.courseId).toMatch(/^[0-9a-f]{24}$/);
  });

  it("reports a failed job with the reason, storing nothing", async () => {
    const before = await myCourseCount(world, student.accessToken);
    fake.setDefault("generateContent", { error: 500, delayMs: 200 });
    const job = ok(await world.gql(StartCourseGenerationDocument, { input }, { token: student.accessToken })).startCourseGeneration;
    const events = await followJob(world, student.accessToken, job.id);
    expect(events.at(-1)).toMatchObject({ stage: "FAILED", courseId: null });
    expect(events.at(-1)?.error).toEqual(expect.any(String));
    expect(await myCourseCount(world, student.accessToken)).toBe(before);
  });
});

import {
  CompleteChapterDocument,
  CourseDocument,
  CreateCourseFromUploadDocument,
  DashboardDocument,
  GenerateCourseDocument,
  MyProgressDocument,
  OnCourseGenerationDocument,
  StartCourseGenerationDocument,
} from "../generated/graphql";
import { subscribe, wsClient } from "../helpers/ws";
import { makePdf } from "../uploads/fixtures";
import { settled, uploaded } from "../uploads/support";
import { ok, startCourseWorld, type CourseWorld, type Session } from "./support";

const input = { topic: "Photosynthesis in plants", level: "BEGINNER" as const, numChapters: 3 };

describe("a generated course enrolls its owner", () => {
  let world: CourseWorld;
  let owner: Session;

  const progressOf = async (courseId: string, who = owner) => ok(await world.gql(MyProgressDocument, { id: courseId }, { token: who.accessToken })).course!;

  beforeAll(async () => {
    world = await startCourseWorld();
    owner = await world.user();
  });
  afterAll(() => world.server.stop());

  it("from a topic: the course comes back with the owner enrolled, and chapters complete at once", async () => {
    const course = ok(await world.gql(GenerateCourseDocument, { input }, { token: owner.accessToken })).generateCourse;
    expect(await progressOf(course.id)).toMatchObject({ enrollmentCount: 1, myProgress: { completedChapters: 0, totalChapters: 3, percent: 0 } });

    const [first] = ok(await world.gql(CourseDocument, { id: course.id }, { token: owner.accessToken })).course!.chapters;
    const done = ok(await world.gql(CompleteChapterDocument, { chapterId: first.id }, { token: owner.accessToken })).completeChapter;
    expect(done.myProgress).toMatchObject({ completedChapters: 1, percent: 33 });

    const dashboard = ok(await world.gql(DashboardDocument, {}, { token: owner.accessToken })).dashboard;
    expect(dashboard.courses.find((entry) => entry.course.id === course.id)).toMatchObject({ owned: true, enrolled: true, completedChapters: 1, totalChapters: 3 });
  });

  it("from a background job: enrolled by the time the job reports DONE", async () => {
    const job = ok(await world.gql(StartCourseGenerationDocument, { input }, { token: owner.accessToken })).startCourseGeneration;
    const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${owner.accessToken}` });
    let courseId: string | null | undefined;
    try {
      for await (const result of subscribe(client, OnCourseGenerationDocument, { jobId: job.id })) courseId = result.data?.courseGeneration.courseId ?? courseId;
    } finally {
      await client.dispose();
    }
    expect(courseId).toBeTruthy();
    expect((await progressOf(courseId!)).myProgress).toMatchObject({ completedChapters: 0, totalChapters: 3 });
  });

  it("from an upload: the owner is enrolled, and nobody else", async () => {
    const upload = await uploaded(world, owner.accessToken, "plants.pdf", await makePdf());
    await settled(world, owner.accessToken, upload.id);
    const course = ok(await world.gql(CreateCourseFromUploadDocument, { uploadId: upload.id, input: { level: "BEGINNER", numChapters: 2 } }, { token: owner.accessToken }))
      .createCourseFromUpload;
    expect(await progressOf(course.id)).toMatchObject({ enrollmentCount: 1, myProgress: { completedChapters: 0, totalChapters: 2 } });
  });
});

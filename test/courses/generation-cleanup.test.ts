import { Types } from "mongoose";
import { OfflineProvider } from "../../src/infra/ai/offline/offline-provider";
import { createPubSub } from "../../src/infra/pubsub";
import { JobService } from "../../src/infra/jobs";
import { createLogger } from "../../src/lib/logger";
import { ChapterModel } from "../../src/modules/chapters/chapter.model";
import { ChapterService } from "../../src/modules/chapters/chapter.service";
import { DomainEventBus } from "../../src/lib/events";
import type { SignedIn } from "../../src/lib/identity";
import { Quota } from "../../src/lib/quota";
import { CourseLevel, CourseModel } from "../../src/modules/courses/course.model";
import type { CourseService } from "../../src/modules/courses/course.service";
import { CourseGenerationService } from "../../src/modules/courses/generation.service";
import { UserRole } from "../../src/modules/users/user.model";
import { startTestServer, type TestServer } from "../helpers/server";

/**
 * What a failure after the first chapters are stored leaves behind: nothing. The AI answers are
 * not the problem here, so the service runs with the offline provider and the real chapter
 * service on the embedded database; only storing the course itself fails.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

it("removes the chapters it wrote when storing the course fails", async () => {
  const log = createLogger({ level: "silent" });
  const chapters = new ChapterService({ courses: {} as CourseService, events: new DomainEventBus() });
  const failingCourses = {
    insertGenerated: async () => {
      throw new Error("the database went away");
    },
  } as unknown as CourseService;
  const generation = new CourseGenerationService({
    ai: new OfflineProvider({ dimensions: 128, streamDelayMs: 0 }, { record: () => undefined }),
    courses: failingCourses,
    chapters,
    jobs: new JobService({ pubSub: createPubSub(), log }),
    aiWork: new Quota({ name: "ai_work_user", requests: 0, windowSeconds: 1, refusal: () => "" }, log),
  });
  const owner = { _id: new Types.ObjectId(), role: UserRole.STUDENT } as SignedIn;
  const stages: string[] = [];

  const before = await ChapterModel.countDocuments();
  await expect(
    generation.generate(owner, { topic: "Rivers and lakes", level: CourseLevel.BEGINNER, numChapters: 4 }, async (progress) => {
      stages.push(`${progress.stage} ${progress.chaptersWritten}`);
    }),
  ).rejects.toThrow("the database went away");

  expect(stages).toEqual(["OUTLINE_READY 0", "CHAPTER_WRITTEN 1", "CHAPTER_WRITTEN 2", "CHAPTER_WRITTEN 3", "CHAPTER_WRITTEN 4"]);
  expect(await ChapterModel.countDocuments()).toBe(before);
  expect(await CourseModel.countDocuments({ owner_id: owner._id })).toBe(0);
});

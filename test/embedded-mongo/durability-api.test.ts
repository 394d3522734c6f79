import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CourseDocument } from "../generated/graphql";
import { login } from "../accounts/support";
import { createCourse, ok, startCourseWorld } from "../courses/support";

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ai-learning-durable-api-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

/** As `npm start` runs: no MONGODB_URL, the embedded database journaled under DATA_DIR/db. */
const startOnDisk = () => startCourseWorld({ DATA_DIR: dataDir, DATABASE_IN_MEMORY: "false" });

it("keeps a registered user and their course across a server restart on the same data directory", async () => {
  const first = await startOnDisk();
  const author = await first.user("INSTRUCTOR");
  const course = await createCourse(first.gql, author.accessToken, { title: "Kept across restarts", tags: ["durability"] });
  await first.server.stop();
  expect((await readdir(join(dataDir, "db"))).some((name) => name.startsWith("journal."))).toBe(true);

  const second = await startOnDisk();
  try {
    const session = await login(second.gql, author.user.email);
    const found = ok(await second.gql(CourseDocument, { id: course.id }, { token: session.accessToken })).course;
    expect(found).toMatchObject({ id: course.id, title: "Kept across restarts", tags: ["durability"] });
  } finally {
    await second.server.stop();
  }
});

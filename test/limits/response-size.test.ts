import { ChapterModel } from "../../src/modules/chapters/chapter.model";
import { createCourse, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { wsClient } from "../helpers/ws";
import { bearer, codes, post } from "../hardening/support";

/** Small, so that a few real chapters pass it. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const CHAPTERS = 20;
/** What each chapter holds: 3,002 bytes as JSON, the largest chapter content this server has stored. */
const CONTENT_CHARS = 3_000;
const METRICS_TOKEN = "response-size-metrics";

let world: CourseWorld;
let alice: Session;
let courseId: string;

const send = (query: string, token = alice.accessToken) => post(world.server.graphqlUrl, { query }, bearer(token));
/** `n` aliases of the same course's chapters, selecting `fields` of each. */
const aliased = (n: number, fields: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `c${i}: course(id: "${courseId}") { chapters { ${fields} } }`).join(" ")} }`;

beforeAll(async () => {
  world = await startCourseWorld({ GRAPHQL_MAX_RESPONSE_BYTES: String(MAX_RESPONSE_BYTES), METRICS_TOKEN });
  alice = await world.user("INSTRUCTOR");
  courseId = (await createCourse(world.gql, alice.accessToken)).id;
  for (let i = 1; i <= CHAPTERS; i++) {
    const input = { courseId, title: `Chapter ${i} ${"t".repeat(180)}`, content: `# Chapter ${i}\n`.padEnd(CONTENT_CHARS, "c") };
    // Only the id back: the chapter itself is larger than this server's answers may be.
    const added = await post(world.server.graphqlUrl, { query: "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", variables: { input } }, bearer(alice.accessToken));
    expect(added.body?.errors).toBeUndefined();
  }
}, 60_000);

afterAll(async () => {
  await world?.server.stop();
});

describe("response amplification", () => {
  it("refuses 15 aliases of a course's chapters' content before running it, pricing chapters at their cap of 200", async () => {
    const response = await send(aliased(15, "content"));
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(response.body?.errors?.[0]?.message).toMatch(/too much data: up to \d+ bytes exceeds the limit of 1048576/);
    // 15 x 200 chapters x the largest content stored (3,002 bytes of JSON), whatever the course holds today.
    expect(response.body?.errors?.[0]?.extensions?.estimatedBytes).toBeGreaterThan(15 * 200 * (CONTENT_CHARS + 2));
    expect(response.text.length).toBeLessThan(2_000);
  });

  it("lets one alias of it run: 200 x 3,002 bytes is within the limit", async () => {
    const response = await send(aliased(1, "content"));
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
  });

  it("refuses it over websockets too", async () => {
    const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
    try {
      const outcome = JSON.stringify(await client.iterate({ query: aliased(15, "content") }).next().catch((error: unknown) => error));
      expect(outcome).toMatch(/too much data/);
    } finally {
      await client.dispose();
    }
  });

  it("cuts an answer whose actual size passes the limit, without sending it", async () => {
    // Content written where this instance did not see it (another instance, since its last
    // look at the stored sizes, or an older version): the estimate prices 3 KB a chapter, each holds 60 KB.
    await ChapterModel.updateMany({}, { $set: { content: "x".repeat(60_000) } }).exec();
    const response = await send(aliased(1, "content"));
    expect(response.status).toBe(200);
    expect(codes(response)).toEqual(["RESPONSE_TOO_LARGE"]);
    expect(response.body?.data).toBeNull();
    expect(response.text.length).toBeLessThan(2_000);
  });

  it("counts every cut answer in graphql_errors_total, over HTTP and websockets alike", async () => {
    const cut = async () => {
      const response = await fetch(new URL("/metrics", world.server.graphqlUrl), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      const line = (await response.text()).split("\n").find((row) => row.startsWith('graphql_errors_total{code="RESPONSE_TOO_LARGE"}'));
      return Number(line?.split(" ").pop() ?? 0);
    };
    const before = await cut();
    expect(codes(await send(aliased(1, "content")))).toEqual(["RESPONSE_TOO_LARGE"]);
    expect(await cut()).toBe(before + 1);
  });

  it("cuts an oversized answer over websockets too", async () => {
    const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
    try {
      const first = await client.iterate({ query: aliased(1, "content") }).next();
      expect(first.value).toMatchObject({ data: null, errors: [{ extensions: { code: "RESPONSE_TOO_LARGE" } }] });
    } finally {
      await client.dispose();
    }
  });

  it("still answers ordinary queries", async () => {
    const response = await send(`{ course(id: "${courseId}") { title chapters { id title } } }`);
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
    expect((response.body?.data?.course as { chapters: unknown[] }).chapters).toHaveLength(CHAPTERS);
  });
});

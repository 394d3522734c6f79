import { createCourse, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { wsClient } from "../helpers/ws";
import { bearer, codes, post } from "../hardening/support";

/** The smallest the setting allows, so that a few real chapters pass it. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const CHAPTERS = 20;
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
    const input = { courseId, title: `Chapter ${i} ${"t".repeat(180)}`, content: `# Chapter ${i}` };
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
    // 15 x 200 chapters x 200,000 characters, whatever the course holds today.
    expect(response.body?.errors?.[0]?.message).toMatch(/too much data: up to 600000000 bytes of text exceeds the limit of 65536/);
    expect(response.text.length).toBeLessThan(2_000);
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
    // Titles are short fields the estimate leaves to the object count; 15 x 20 of them are still ~60 KB.
    const response = await send(aliased(15, "id title order"));
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
    expect(codes(await send(aliased(15, "id title order")))).toEqual(["RESPONSE_TOO_LARGE"]);
    expect(await cut()).toBe(before + 1);
  });

  it("cuts an oversized answer over websockets too", async () => {
    const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
    try {
      const first = await client.iterate({ query: aliased(15, "id title order") }).next();
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

import { createCourse, startCourseWorld, type CourseWorld } from "../courses/support";
import { bearer, post } from "../hardening/support";

let world: CourseWorld;

beforeAll(async () => {
  world = await startCourseWorld();
});
afterAll(async () => {
  await world?.server.stop();
});

test("with the default GRAPHQL_MAX_RESPONSE_BYTES a course's whole content may be read, two courses' worth at once may not", async () => {
  const bob = await world.user("INSTRUCTOR");
  const id = (await createCourse(world.gql, bob.accessToken)).id;
  // The largest chapter stored: 100,000 characters of two UTF-8 bytes each, 200,002 bytes of JSON;
  // a course's 200 chapters of that are 40 MB, two courses' 80 MB.
  const chapter = { courseId: id, title: "Long", content: "é".repeat(100_000) };
  const added = await post(world.server.graphqlUrl, { query: "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", variables: { input: chapter } }, bearer(bob.accessToken));
  expect(added.body?.errors).toBeUndefined();
  const one = await post(world.server.graphqlUrl, { query: `{ course(id: "${id}") { chapters { content } } }` }, bearer(bob.accessToken));
  expect(one.status).toBe(200);
  expect(one.body?.errors).toBeUndefined();
  const two = await post(
    world.server.graphqlUrl,
    { query: `{ a: course(id: "${id}") { chapters { content } } b: course(id: "${id}") { chapters { content } } }` },
    bearer(bob.accessToken),
  );
  expect(two.status).toBe(400);
  expect(two.body?.errors?.[0]?.message).toMatch(/too much data: up to \d+ bytes exceeds the limit of 67108864/);
  expect(two.body?.errors?.[0]?.extensions?.estimatedBytes).toBeGreaterThan(2 * 200 * 200_002);
});

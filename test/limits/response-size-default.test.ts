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
  const one = await post(world.server.graphqlUrl, { query: `{ course(id: "${id}") { chapters { content } } }` }, bearer(bob.accessToken));
  expect(one.status).toBe(200);
  expect(one.body?.errors).toBeUndefined();
  const two = await post(
    world.server.graphqlUrl,
    { query: `{ a: course(id: "${id}") { chapters { content } } b: course(id: "${id}") { chapters { content } } }` },
    bearer(bob.accessToken),
  );
  expect(two.status).toBe(400);
  expect(two.body?.errors?.[0]?.message).toMatch(/too much data: up to 80000000 bytes/);
});

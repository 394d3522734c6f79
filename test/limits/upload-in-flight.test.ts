import { startCourseWorld, type CourseWorld } from "../courses/support";
import { bearer, post } from "../hardening/support";
import { sendFile, settled, uploaded } from "../uploads/support";

let world: CourseWorld;

beforeAll(async () => {
  world = await startCourseWorld({ UPLOADS_IN_FLIGHT_PER_USER: "1" });
});
afterAll(async () => {
  await world?.server.stop();
});

/** Enough text that its ingestion (hundreds of passages to embed) is still running when the next request comes. */
const large = (seed: string) => `${seed} says the tide follows the Moon. `.repeat(12_000);

it("a user with UPLOADS_IN_FLIGHT_PER_USER ingestions running is refused one more, a reprocess counts, another user is not affected", async () => {
  const student = await world.user();
  const first = await uploaded(world, student.accessToken, "first.txt", large("first"));
  const refused = await sendFile(world, student.accessToken, "second.txt", "The Moon orbits the Earth.");
  expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "RATE_LIMITED", inFlight: 1, maxInFlight: 1 });
  expect(refused.errors?.[0]?.message).toMatch(/being ingested/);

  const other = await world.user();
  await uploaded(world, other.accessToken, "other.txt", "Someone else's notes on tides.");

  expect((await settled(world, student.accessToken, first.id, 120_000)).status).toBe("READY");
  const reprocessed = await post(world.server.graphqlUrl, { query: `mutation { reprocessUpload(id: "${first.id}") { status } }` }, bearer(student.accessToken));
  expect(reprocessed.body?.errors).toBeUndefined();
  const whileReprocessing = await sendFile(world, student.accessToken, "third.txt", "Neap tides.");
  expect(whileReprocessing.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");

  await settled(world, student.accessToken, first.id, 120_000);
  await uploaded(world, student.accessToken, "second.txt", "The Moon orbits the Earth.");
}, 300_000);

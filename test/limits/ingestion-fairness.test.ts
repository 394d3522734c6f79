import { setTimeout as sleep } from "node:timers/promises";
import { UploadDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { settled, uploaded } from "../uploads/support";

const LARGE_UPLOADS = 6;
/** Large enough that each takes a while to embed, well under MAX_FILE_SIZE. */
const LARGE_CHARS = 400 * 1024;

let world: CourseWorld;
let alice: Session;
let bob: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user();
  bob = await world.user();
});
afterAll(async () => {
  await world?.server.stop();
});

function largeText(n: number): string {
  const sentence = `Upload ${n} says the tide follows the Moon and the Moon orbits the Earth in about 27 days. `;
  const paragraph = `${sentence.repeat(10)}\n\n`;
  return paragraph.repeat(Math.ceil(LARGE_CHARS / paragraph.length));
}

/** How many of Alice's uploads `ids` are READY. */
async function readyOf(ids: string[]): Promise<number> {
  const statuses = await Promise.all(ids.map(async (id) => ok(await world.gql(UploadDocument, { id }, { token: alice.accessToken })).upload?.status));
  return statuses.filter((status) => status === "READY").length;
}

test("one user's queue of large uploads does not hold back another user's small one", async () => {
  // Alice's six large files are all waiting before Bob sends his.
  const large = await Promise.all(Array.from({ length: LARGE_UPLOADS }, (_, i) => uploaded(world, alice.accessToken, `large-${i}.txt`, largeText(i))));
  const ids = large.map((upload) => upload.id);
  const aliceReadyBefore = await readyOf(ids);
  const small = await uploaded(world, bob.accessToken, "small.txt", "The Moon orbits the Earth.\n\nTides follow the Moon.");
  expect((await settled(world, bob.accessToken, small.id, 60_000)).status).toBe("READY");
  const aliceReadyAfter = await readyOf(ids);
  // Without per-user turns Bob's upload waited behind every one of Alice's waiting uploads.
  expect(LARGE_UPLOADS - aliceReadyBefore).toBeGreaterThanOrEqual(3);
  expect(aliceReadyAfter - aliceReadyBefore).toBeLessThanOrEqual(1);
  // Alice's are all ingested in the end.
  for (let i = 0; i < 600 && (await readyOf(ids)) < LARGE_UPLOADS; i++) await sleep(100);
  expect(await readyOf(ids)).toBe(LARGE_UPLOADS);
}, 120_000);

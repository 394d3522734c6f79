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
let carol: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user();
  bob = await world.user();
  carol = await world.user();
});
afterAll(async () => {
  await world?.server.stop();
});

function largeText(n: number): string {
  const sentence = `Upload ${n} says the tide follows the Moon and the Moon orbits the Earth in about 27 days. `;
  const paragraph = `${sentence.repeat(10)}\n\n`;
  return paragraph.repeat(Math.ceil(LARGE_CHARS / paragraph.length));
}

/** How many of `owner`'s uploads `ids` are READY (Alice's by default). */
async function readyOf(ids: string[], owner: Session = alice): Promise<number> {
  const statuses = await Promise.all(ids.map(async (id) => ok(await world.gql(UploadDocument, { id }, { token: owner.accessToken })).upload?.status));
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

test("two users' queues of large uploads do not hold back a third user's small one: owners take turns", async () => {
  // Alice and Carol each have six large files waiting (every ingestion slot busy) before Bob sends his.
  const send = (owner: Session, prefix: string) =>
    Promise.all(Array.from({ length: LARGE_UPLOADS }, (_, i) => uploaded(world, owner.accessToken, `${prefix}-${i}.txt`, largeText(100 + i))));
  const [aliceIds, carolIds] = (await Promise.all([send(alice, "alice"), send(carol, "carol")])).map((uploads) => uploads.map((upload) => upload.id));
  const readyBoth = async () => (await readyOf(aliceIds, alice)) + (await readyOf(carolIds, carol));
  const before = await readyBoth();
  const small = await uploaded(world, bob.accessToken, "small-2.txt", "Neap tides come with the quarter Moon.\n\nSpring tides with the full Moon.");
  expect((await settled(world, bob.accessToken, small.id, 90_000)).status).toBe("READY");
  // Bob waited for one free slot: the files running when he sent his, not the ten or more queued behind them.
  expect(2 * LARGE_UPLOADS - before).toBeGreaterThanOrEqual(6);
  expect((await readyBoth()) - before).toBeLessThanOrEqual(3);
  for (let i = 0; i < 1200 && (await readyBoth()) < 2 * LARGE_UPLOADS; i++) await sleep(100);
  expect(await readyBoth()).toBe(2 * LARGE_UPLOADS);
}, 240_000);

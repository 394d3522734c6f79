import { ReprocessUploadDocument, UploadProgressDocument, type UploadProgressSubscription } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { subscribe, wsClient } from "../helpers/ws";
import { makePdf, PDF_PAGES } from "./fixtures";
import { settled, uploaded } from "./support";

type ProgressEvent = UploadProgressSubscription["uploadProgress"];

let world: CourseWorld;
let alice: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user();
});

afterAll(() => world.server.stop());

async function follow(uploadId: string): Promise<ProgressEvent[]> {
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
  try {
    const events: ProgressEvent[] = [];
    for await (const result of subscribe(client, UploadProgressDocument, { uploadId })) {
      expect(result.errors).toBeUndefined();
      events.push(result.data!.uploadProgress);
    }
    return events;
  } finally {
    await client.dispose();
  }
}

/** Consecutive events a subscriber could not tell apart. */
function repeats(events: ProgressEvent[]): ProgressEvent[] {
  return events.filter((event, i) => i > 0 && JSON.stringify(event) === JSON.stringify(events[i - 1]));
}

test("uploadProgress never sends the same state twice, from the first ingestion to a reprocess", async () => {
  // Enough pages for several embedding batches, whose progress steps may round to the same percent.
  const pages = Array.from({ length: 40 }, (_, i) => `${PDF_PAGES[i % 4]} Section ${i + 1} repeats it. `.repeat(8));
  const upload = await uploaded(world, alice.accessToken, "long.pdf", await makePdf(pages));
  const first = await follow(upload.id);
  expect(first.at(-1)).toMatchObject({ status: "READY", progress: 100 });
  expect(first.length).toBeGreaterThan(3);
  expect(repeats(first)).toEqual([]);

  await settled(world, alice.accessToken, upload.id);
  ok(await world.gql(ReprocessUploadDocument, { id: upload.id }, { token: alice.accessToken }));
  const again = await follow(upload.id);
  expect(again.at(-1)).toMatchObject({ status: "READY", progress: 100 });
  expect(repeats(again)).toEqual([]);
});

import { constants, createDeflateRaw } from "node:zlib";
import { extractInWorker } from "../../src/modules/uploads/extractor";
import { startCourseWorld, errorCode, type CourseWorld, type Session } from "../courses/support";
import { makeDocx, zipOfDeflated } from "../uploads/fixtures";
import { countRows, sendFile, settled } from "../uploads/support";

const MiB = 1024 * 1024;
/** What the bomb really inflates to; its headers say a few megabytes. */
const BOMB_INFLATED = 1024 * MiB;
/** The issue measured +1.2 GB for one bomb; a bounded check costs far less than this. */
const RSS_MARGIN = 400 * MiB;

let world: CourseWorld;
let alice: Session;
let bomb: Buffer;

/** Raw deflate of `size` zero bytes, made one chunk at a time (never holding the inflated bytes). */
async function deflatedZeros(size: number): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION });
  const parts: Buffer[] = [];
  deflate.on("data", (part: Buffer) => parts.push(part));
  const ended = new Promise((resolve) => deflate.once("end", resolve));
  const chunk = Buffer.alloc(MiB);
  for (let written = 0; written < size; written += chunk.length) {
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await ended;
  return Buffer.concat(parts);
}

/**
 * A ZIP whose local and central headers both understate the inflated size of each entry (twice
 * the compressed size: a harmless ratio), so the central directory check lets it through.
 */
function lyingZip(entries: { name: string; compressed: Buffer }[]): Buffer {
  return zipOfDeflated(entries.map((entry) => ({ ...entry, declaredSize: entry.compressed.length * 2 })));
}

/** The highest RSS seen while `work` runs, sampled every 10 ms (the server runs in this process). */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 10);
  try {
    const result = await work();
    return { result, peak: Math.max(peak, process.memoryUsage.rss()) };
  } finally {
    clearInterval(timer);
  }
}

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user();
  const compressed = await deflatedZeros(BOMB_INFLATED);
  bomb = lyingZip([
    { name: "[Content_Types].xml", compressed: await deflatedZeros(1024) },
    { name: "word/document.xml", compressed },
  ]);
}, 120_000);

afterAll(async () => {
  await world?.server.stop();
});

test("the bomb is small and its declared sizes pass the central directory check", () => {
  expect(bomb.length).toBeLessThan(world.server.config.uploads.maxFileSize);
  expect(bomb.length).toBeLessThan(2 * MiB);
});

test("a DOCX whose headers understate its sizes is refused at upload, counting the bytes it really inflates to", async () => {
  const uploads = await countRows("uploads");
  const before = process.memoryUsage.rss();
  const { result: responses, peak } = await peakRss(() =>
    // Two at once, as in the report (2.42 GB then); the server keeps answering meanwhile.
    Promise.all([
      sendFile(world, alice.accessToken, "bomb.docx", bomb),
      sendFile(world, alice.accessToken, "bomb2.docx", Buffer.concat([bomb])),
      fetch(`${world.server.url}/health`).then((response) => response.status),
    ]),
  );
  const [first, second, health] = responses;
  for (const response of [first, second]) {
    expect(errorCode(response)).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(response.errors?.[0]?.message).toMatch(/cannot be read safely: its entries inflate to more than 67108864 bytes/);
  }
  expect(health).toBe(200);
  expect(peak - before).toBeLessThan(RSS_MARGIN);
  expect(await countRows("uploads")).toBe(uploads);
}, 60_000);

test("the extraction worker counts inflated bytes too and is stopped past the limit", async () => {
  const before = process.memoryUsage.rss();
  const { result: outcome, peak } = await peakRss(() =>
    extractInWorker("docx", bomb, { timeoutMs: 30_000, maxHeapMb: 256, maxTextLength: 1_000_000, maxInflatedBytes: 8 * MiB }).then(
      () => "read",
      (error: unknown) => error,
    ),
  );
  expect(outcome).toMatchObject({ message: expect.stringMatching(/inflate to more than 8388608 bytes/), extensions: { code: "UNSUPPORTED_MEDIA_TYPE" } });
  expect(peak - before).toBeLessThan(RSS_MARGIN);
}, 60_000);

test("an ordinary DOCX is still accepted and ingested", async () => {
  const response = await sendFile(world, alice.accessToken, "notes.docx", await makeDocx());
  const upload = response.data!.uploadFile;
  expect((await settled(world, alice.accessToken, upload.id)).status).toBe("READY");
});

/**
 * The bomb behind a decoy: a copy of its central directory that declares tiny entries, placed
 * where the end record points, and the real directory between the decoy and the end record
 * (where mammoth's zip reader looks once it takes the decoy's offset for prepended data).
 */
function behindDecoyDirectory(archive: Buffer): Buffer {
  const eocd = archive.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const directoryOffset = archive.readUInt32LE(eocd + 16);
  const real = archive.subarray(directoryOffset, eocd);
  const decoy = Buffer.from(real);
  for (let offset = 0; offset < decoy.length; offset += 46 + decoy.readUInt16LE(offset + 28) + decoy.readUInt16LE(offset + 30) + decoy.readUInt16LE(offset + 32)) {
    decoy.writeUInt32LE(16, offset + 20);
    decoy.writeUInt32LE(32, offset + 24);
  }
  return Buffer.concat([archive.subarray(0, directoryOffset), decoy, real, archive.subarray(eocd)]);
}

test("a DOCX with a second, hidden central directory is refused before anything inflates", async () => {
  const uploads = await countRows("uploads");
  const before = process.memoryUsage.rss();
  const { result: response, peak } = await peakRss(() => sendFile(world, alice.accessToken, "hidden.docx", behindDecoyDirectory(bomb)));
  expect(errorCode(response)).toBe("UNSUPPORTED_MEDIA_TYPE");
  expect(response.errors?.[0]?.message).toMatch(/cannot be read safely: it has bytes between its central directory and the directory's end record/);
  expect(peak - before).toBeLessThan(RSS_MARGIN);
  expect(await countRows("uploads")).toBe(uploads);
});

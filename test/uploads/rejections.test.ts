import { ReprocessUploadDocument, UploadFileDocument, UploadProgressDocument } from "../generated/graphql";
import { startCourseWorld, ok, errorCode, type CourseWorld, type Session } from "../courses/support";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { uploadRequest } from "../helpers/upload";
import { subscribe, wsClient } from "../helpers/ws";
import { makeDocx, makePdf, makeZipBomb } from "./fixtures";
import { countRows, sendFile, settled, storedFiles, uploaded } from "./support";

const MAX_FILE_SIZE = 64 * 1024;

let gemini: FakeGemini;
let world: CourseWorld;
let alice: Session;

beforeAll(async () => {
  gemini = await startFakeGemini();
  world = await startCourseWorld({ ...gemini.env(), MAX_FILE_SIZE: String(MAX_FILE_SIZE), AI_MAX_RETRIES: "0" });
  alice = await world.user();
});

afterAll(async () => {
  await world.server.stop();
  await gemini.stop();
});

beforeEach(() => gemini.reset());

/** Refused before anything is stored: nothing new in GridFS and no upload record. */
async function expectRefused(filename: string, content: Buffer | string, code: string): Promise<void> {
  const files = await storedFiles();
  const uploads = await countRows("uploads");
  const response = await sendFile(world, alice.accessToken, filename, content);
  expect(errorCode(response)).toBe(code);
  expect(await storedFiles()).toEqual(files);
  expect(await countRows("uploads")).toBe(uploads);
}

test("a file over MAX_FILE_SIZE is cut off with PAYLOAD_TOO_LARGE", async () => {
  await expectRefused("big.txt", "a".repeat(MAX_FILE_SIZE + 1), "PAYLOAD_TOO_LARGE");
  await expectRefused("huge.txt", "a".repeat(MAX_FILE_SIZE * 8), "PAYLOAD_TOO_LARGE");
  // Exactly at the limit is fine.
  expect(ok(await sendFile(world, alice.accessToken, "limit.txt", "b".repeat(MAX_FILE_SIZE))).uploadFile.fileSize).toBe(MAX_FILE_SIZE);
});

test("content that does not match its extension, and other extensions, are UNSUPPORTED_MEDIA_TYPE", async () => {
  const exe = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00"), Buffer.alloc(200)]);
  await expectRefused("report.pdf", exe, "UNSUPPORTED_MEDIA_TYPE");
  await expectRefused("report.docx", exe, "UNSUPPORTED_MEDIA_TYPE");
  await expectRefused("report.txt", exe, "UNSUPPORTED_MEDIA_TYPE");
  await expectRefused("program.exe", exe, "UNSUPPORTED_MEDIA_TYPE");
  await expectRefused("latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9]), "UNSUPPORTED_MEDIA_TYPE");
  await expectRefused("noextension", "plain words", "UNSUPPORTED_MEDIA_TYPE");
});

test("an empty file is BAD_USER_INPUT", async () => {
  await expectRefused("empty.txt", "", "BAD_USER_INPUT");
});

test("a zip bomb dressed as DOCX is refused from its central directory, before decompression", async () => {
  const bomb = makeZipBomb();
  expect(bomb.length).toBeLessThan(MAX_FILE_SIZE);
  await expectRefused("bomb.docx", bomb, "UNSUPPORTED_MEDIA_TYPE");
});

test("two files in one request are refused", async () => {
  const response = await uploadRequest(
    world.server.graphqlUrl,
    UploadFileDocument,
    { file: null },
    [
      { variablePath: "variables.file", filename: "a.txt", contentType: "text/plain", content: "one" },
      { variablePath: "variables.file", filename: "b.txt", contentType: "text/plain", content: "two" },
    ],
    { token: alice.accessToken },
  );
  expect(response.status).toBe(413);
  expect(errorCode(response)).toBe("PAYLOAD_TOO_LARGE");
});

test("uploading needs a signed-in user", async () => {
  expect(errorCode(await sendFile(world, undefined, "anon.txt", "hello"))).toBe("UNAUTHENTICATED");
});

test("a corrupt PDF, a corrupt DOCX and an image-only PDF end FAILED with a reason", async () => {
  const corruptPdf = await uploaded(world, alice.accessToken, "corrupt.pdf", Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(3000, 0x20)]));
  const docx = await makeDocx();
  const corruptDocx = await uploaded(world, alice.accessToken, "corrupt.docx", Buffer.concat([docx.subarray(0, 400), Buffer.alloc(400), docx.subarray(800)]));
  const imageOnly = await uploaded(world, alice.accessToken, "scan.pdf", await makePdf(["", ""], { imageOnly: true }));
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
  try {
    const events = [];
    for await (const result of subscribe(client, UploadProgressDocument, { uploadId: corruptPdf.id })) events.push(result.data!.uploadProgress);
    expect(events.at(-1)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/PDF is corrupt/) });
  } finally {
    await client.dispose();
  }
  expect(await settled(world, alice.accessToken, corruptPdf.id)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/PDF is corrupt/) });
  expect(await settled(world, alice.accessToken, corruptDocx.id)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/extraction failed/i) });
  expect(await settled(world, alice.accessToken, imageOnly.id)).toMatchObject({ status: "FAILED", error: expect.stringMatching(/No text found/) });
});

test("when the AI provider is down ingestion FAILS with AI's reason, and reprocessUpload succeeds once it is back", async () => {
  gemini.setDefault("batchEmbedContents", { error: 503, message: "overloaded" });
  gemini.setDefault("embedContent", { error: 503, message: "overloaded" });
  const upload = await uploaded(world, alice.accessToken, "tides.txt", "The Moon's gravity pulls the oceans into tides twice a day.");
  const failed = await settled(world, alice.accessToken, upload.id);
  expect(failed.status).toBe("FAILED");
  expect(failed.error).toMatch(/AI|unavailable|overloaded/i);

  gemini.reset();
  const again = ok(await world.gql(ReprocessUploadDocument, { id: upload.id }, { token: alice.accessToken })).reprocessUpload;
  expect(again).toMatchObject({ status: "PENDING", progress: 0, error: null });
  expect(await settled(world, alice.accessToken, upload.id)).toMatchObject({ status: "READY", progress: 100 });
});

import { Types } from "mongoose";
import { DeleteUploadDocument, SearchDocument, UploadProgressDocument, UploadsDocument } from "../generated/graphql";
import { startCourseWorld, ok, errorCode, type CourseWorld, type Session } from "../courses/support";
import { subscribe, wsClient } from "../helpers/ws";
import { DOCX_SECTIONS, makeDocx, makePdf, PDF_PAGES } from "./fixtures";
import { countRows, sendFile, settled, storedFiles, uploaded } from "./support";

let world: CourseWorld;
let alice: Session;
let bob: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user();
  bob = await world.user();
});

afterAll(() => world.server.stop());

const search = (token: string, query: string, extra: Record<string, unknown> = {}) =>
  world.gql(SearchDocument, { query, limit: 3, ...extra }, { token });

test("a multi-page PDF becomes READY and its passages cite the right pages", async () => {
  const upload = await uploaded(world, alice.accessToken, "science.pdf", await makePdf());
  expect(upload).toMatchObject({ fileType: "PDF", title: "science", status: "PENDING" });
  const ready = await settled(world, alice.accessToken, upload.id);
  expect(ready).toMatchObject({ status: "READY", progress: 100, pageCount: PDF_PAGES.length, error: null });
  expect(ready.chunkCount).toBeGreaterThan(0);
  expect(ready.textLength).toBeGreaterThan(300);

  const expectations: [string, number][] = [
    ["how do plants turn sunlight into glucose with chlorophyll", 1],
    ["mitochondria ATP cellular respiration", 2],
    ["earthquakes volcanoes lithosphere plates", 3],
    ["storming of the Bastille 1789", 4],
  ];
  for (const [query, page] of expectations) {
    const hits = ok(await search(alice.accessToken, query, { uploadId: upload.id })).search;
    expect(hits[0]).toMatchObject({ pageStart: page, pageEnd: page, source: { type: "UPLOAD", id: upload.id, title: "science" } });
    expect(hits[0].highlight).toContain("<em>");
    expect(hits[0].score).toBeGreaterThan(hits[hits.length - 1].score - 1e-9);
  }
});

test("a DOCX keeps its heading path on every passage", async () => {
  const upload = await uploaded(world, alice.accessToken, "notes.docx", await makeDocx());
  const ready = await settled(world, alice.accessToken, upload.id);
  expect(ready).toMatchObject({ status: "READY", fileType: "DOCX", pageCount: null });
  for (const section of DOCX_SECTIONS) {
    const [hit] = ok(await search(alice.accessToken, section.text, { uploadId: upload.id })).search;
    expect(hit.heading).toBe(`${section.heading} > ${section.sub}`);
    expect(hit.text).toContain(section.text);
  }
});

test("UTF-8 text with a BOM is ingested, and the same content again returns the same upload", async () => {
  const text = "\uFEFFLes crêpes bretonnes se mangent avec du cidre.\n\nÜber den Wolken muss die Freiheit grenzenlos sein.";
  const first = await uploaded(world, alice.accessToken, "poems.txt", text);
  const again = await uploaded(world, alice.accessToken, "renamed.txt", text);
  expect(again.id).toBe(first.id);
  const ready = await settled(world, alice.accessToken, first.id);
  expect(ready).toMatchObject({ status: "READY", fileType: "TXT" });
  const [hit] = ok(await search(alice.accessToken, "crêpes cidre", { uploadId: first.id })).search;
  expect(hit.text.startsWith("Les crêpes")).toBe(true);
  // Another user uploading the same bytes gets an upload of their own.
  const bobs = await uploaded(world, bob.accessToken, "poems.txt", text);
  expect(bobs.id).not.toBe(first.id);
});

test("progress events arrive in order and end at READY with 100", async () => {
  const pages = Array.from({ length: 12 }, (_, i) => `${PDF_PAGES[i % 4]} Section ${i + 1} repeats it. `.repeat(6));
  const upload = await uploaded(world, alice.accessToken, "long.pdf", await makePdf(pages));
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${alice.accessToken}` });
  try {
    const events = [];
    for await (const result of subscribe(client, UploadProgressDocument, { uploadId: upload.id })) {
      expect(result.errors).toBeUndefined();
      events.push(result.data!.uploadProgress);
    }
    const progress = events.map((event) => event.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const order = ["PENDING", "EXTRACTING", "EMBEDDING", "READY"];
    const statuses = events.map((event) => order.indexOf(event.status));
    expect(statuses).toEqual([...statuses].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ status: "READY", progress: 100 });
  } finally {
    await client.dispose();
  }
});

test("another user can neither see, search, download nor delete your upload", async () => {
  const upload = await uploaded(world, alice.accessToken, "private.txt", "The secret recipe uses saffron and cardamom.");
  await settled(world, alice.accessToken, upload.id);
  const url = `${world.server.url}/api/v1/uploads/${upload.id}/file`;

  const own = await fetch(url, { headers: { authorization: `Bearer ${alice.accessToken}` } });
  expect(own.status).toBe(200);
  expect(own.headers.get("content-type")).toMatch(/^text\/plain/);
  expect(await own.text()).toBe("The secret recipe uses saffron and cardamom.");

  expect((await fetch(url, { headers: { authorization: `Bearer ${bob.accessToken}` } })).status).toBe(404);
  expect((await fetch(url)).status).toBe(401);
  const admin = await fetch(url, { headers: { authorization: `Bearer ${world.admin.accessToken}` } });
  expect(admin.status).toBe(200);

  expect(ok(await search(bob.accessToken, "saffron cardamom recipe")).search.map((hit) => hit.source.id)).not.toContain(upload.id);
  expect(ok(await search(bob.accessToken, "saffron cardamom recipe", { uploadId: upload.id })).search).toEqual([]);
  expect(errorCode(await world.gql(DeleteUploadDocument, { id: upload.id }, { token: bob.accessToken }))).toBe("NOT_FOUND");
  expect(ok(await world.gql(UploadsDocument, {}, { token: bob.accessToken })).uploads.items.map((u) => u.id)).not.toContain(upload.id);
  const client = wsClient(world.server.wsUrl, { authorization: `Bearer ${bob.accessToken}` });
  try {
    const received: unknown[] = [];
    try {
      for await (const result of subscribe(client, UploadProgressDocument, { uploadId: upload.id })) received.push(result);
    } catch (errors) {
      received.push(errors);
    }
    expect(received).toEqual([{ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "NOT_FOUND" }) })] }]);
  } finally {
    await client.dispose();
  }
});

test("deleting an upload removes its file, its passages and its record", async () => {
  const upload = await uploaded(world, alice.accessToken, "delete-me.txt", "Volcanic glass is called obsidian.");
  await settled(world, alice.accessToken, upload.id);
  const before = await storedFiles();
  expect(await countRows("embeddings", { source_id: new Types.ObjectId(upload.id) })).toBeGreaterThan(0);
  expect(ok(await world.gql(DeleteUploadDocument, { id: upload.id }, { token: alice.accessToken })).deleteUpload).toBe(true);
  const after = await storedFiles();
  expect(after.files).toBe(before.files - 1);
  expect(after.chunks).toBeLessThan(before.chunks);
  expect(await countRows("embeddings", { source_id: new Types.ObjectId(upload.id) })).toBe(0);
  const download = await fetch(`${world.server.url}/api/v1/uploads/${upload.id}/file`, { headers: { authorization: `Bearer ${alice.accessToken}` } });
  expect(download.status).toBe(404);
});

test("a multipart request without the preflight header is refused by CSRF prevention", async () => {
  const before = await storedFiles();
  const response = await sendFile(world, alice.accessToken, "csrf.txt", "hello", { preflight: false });
  expect(response.status).toBe(400);
  expect(await storedFiles()).toEqual(before);
});

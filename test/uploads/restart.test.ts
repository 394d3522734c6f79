import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import mongoose, { Types } from "mongoose";
import { loadConfig } from "../../src/config";
import { createServer, type AppServer } from "../../src/server";
import { AddChapterDocument, CreateCourseDocument, LoginDocument, SearchDocument, UploadDocument, UploadFileDocument } from "../generated/graphql";
import { PASSWORD, registerUser } from "../accounts/support";
import { ok } from "../courses/support";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { graphqlClient } from "../helpers/graphql";
import { uploadRequest } from "../helpers/upload";
import { countRows } from "./support";

let gemini: FakeGemini;
let dataDir: string;

beforeAll(async () => {
  gemini = await startFakeGemini();
  dataDir = mkdtempSync(join(tmpdir(), "ai-learning-restart-"));
});

afterAll(async () => {
  await gemini.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function embeddedTexts(): number {
  return gemini.requests.reduce((sum, request) => {
    if (request.task === "embedContent") return sum + 1;
    if (request.task === "batchEmbedContents") return sum + (request.body.requests as unknown[]).length;
    return sum;
  }, 0);
}

/** A server on the same data directory each time, so the embedded database outlives it. */
function start(env: Record<string, string> = {}): Promise<AppServer> {
  return createServer(
    loadConfig({
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
      BCRYPT_COST: "4",
      JWT_SECRET_KEY: "restart-test-secret",
      ...gemini.env(),
      ...env,
    }),
  );
}

test("a server stopped during ingestion hands it over: the next one resumes and embeds each passage once", async () => {
  // Slow embeddings keep the ingestion running when the server stops.
  gemini.setDefault("batchEmbedContents", { text: "", delayMs: 150 });
  const paragraphs = Array.from({ length: 300 }, (_, i) => `Paragraph ${i} explains topic number ${i} in some detail. `.repeat(8));
  let server = await start();
  const gql = graphqlClient(`${server.url}/graphql`);
  const user = await registerUser(gql);
  const upload = ok(
    await uploadRequest(`${server.url}/graphql`, UploadFileDocument, { file: null }, [
      { variablePath: "variables.file", filename: "long.txt", contentType: "text/plain", content: paragraphs.join("\n\n") },
    ], { token: user.accessToken }),
  ).uploadFile;

  let seen = ok(await gql(UploadDocument, { id: upload.id }, { token: user.accessToken })).upload!;
  while (!(seen.status === "EMBEDDING" && seen.progress > 50)) {
    await sleep(20);
    seen = ok(await gql(UploadDocument, { id: upload.id }, { token: user.accessToken })).upload!;
  }
  await server.stop();
  const source = { source_id: new Types.ObjectId(upload.id) };

  server = await start();
  try {
    const gql2 = graphqlClient(`${server.url}/graphql`);
    const token = ok(await gql2(LoginDocument, { input: { email: user.user.email, password: PASSWORD } })).login.accessToken;
    let after = ok(await gql2(UploadDocument, { id: upload.id }, { token })).upload!;
    while (after.status !== "READY" && after.status !== "FAILED") {
      await sleep(50);
      after = ok(await gql2(UploadDocument, { id: upload.id }, { token })).upload!;
    }
    expect(after).toMatchObject({ status: "READY", progress: 100 });
    expect(await countRows("embeddings", source)).toBe(after.chunkCount);
    // Resumed, not restarted: the texts sent to the model are the passages plus at most the batch cut off by the stop.
    expect(embeddedTexts()).toBeGreaterThanOrEqual(after.chunkCount);
    expect(embeddedTexts()).toBeLessThanOrEqual(after.chunkCount + 32);
  } finally {
    await server.stop();
  }
}, 60_000);

test("an upload whose instance crashed (lease run out) is taken over; a live lease is left alone", async () => {
  gemini.reset();
  const server = await start();
  try {
    const gql = graphqlClient(`${server.url}/graphql`);
    const user = await registerUser(gql);
    const upload = ok(
      await uploadRequest(`${server.url}/graphql`, UploadFileDocument, { file: null }, [
        { variablePath: "variables.file", filename: "crash.txt", contentType: "text/plain", content: "Comets are icy bodies that grow tails near the Sun." },
      ], { token: user.accessToken }),
    ).uploadFile;
    const uploads = mongoose.connection.db!.collection("uploads");
    const status = async () => ok(await gql(UploadDocument, { id: upload.id }, { token: user.accessToken })).upload!.status;
    while ((await status()) !== "READY") await sleep(20);

    const _id = new Types.ObjectId(upload.id);
    // Another upload makes this instance look for work at once, instead of at its next poll.
    const another = async (content: string) =>
      uploadRequest(`${server.url}/graphql`, UploadFileDocument, { file: null }, [
        { variablePath: "variables.file", filename: "other.txt", contentType: "text/plain", content },
      ], { token: user.accessToken });
    await uploads.updateOne({ _id }, { $set: { status: "embedding", lease: { holder: "live-instance", until: new Date(Date.now() + 60_000) } } });
    await another("Meteors burn up in the atmosphere.");
    await sleep(500);
    expect(await status()).toBe("EMBEDDING");

    await uploads.updateOne({ _id }, { $set: { lease: { holder: "crashed-instance", until: new Date(Date.now() - 1) } } });
    await another("Asteroids orbit between Mars and Jupiter.");
    const deadline = Date.now() + 10_000;
    while ((await status()) !== "READY" && Date.now() < deadline) await sleep(50);
    expect(await status()).toBe("READY");
  } finally {
    await server.stop();
  }
}, 30_000);

test("after the embedding model changes, READY uploads and chapters are embedded again in the new space", async () => {
  gemini.reset();
  const before = await start();
  const gql = graphqlClient(`${before.url}/graphql`);
  const user = await registerUser(gql);
  const upload = ok(
    await uploadRequest(`${before.url}/graphql`, UploadFileDocument, { file: null }, [
      { variablePath: "variables.file", filename: "space.txt", contentType: "text/plain", content: "Nebulae are clouds of gas where stars are born." },
    ], { token: user.accessToken }),
  ).uploadFile;
  const status = async (server: AppServer) => ok(await graphqlClient(`${server.url}/graphql`)(UploadDocument, { id: upload.id }, { token: user.accessToken })).upload!.status;
  while ((await status(before)) !== "READY") await sleep(20);
  const course = ok(await gql(CreateCourseDocument, { input: { title: "Skies", level: "BEGINNER" } }, { token: user.accessToken })).createCourse;
  ok(await gql(AddChapterDocument, { input: { courseId: course.id, title: "Auroras", content: "Auroras glow when solar wind meets the magnetosphere." } }, { token: user.accessToken }));
  await before.stop();

  const after = await start({ EMBEDDING_DIMENSIONS: "256" });
  try {
    const deadline = Date.now() + 10_000;
    while ((await status(after)) !== "READY" || (await countRows("embeddings", { source_id: new Types.ObjectId(upload.id), embedding_model_id: /\/256$/ })) === 0) {
      if (Date.now() > deadline) throw new Error("not re-embedded");
      await sleep(50);
    }
    const hits = ok(await graphqlClient(`${after.url}/graphql`)(SearchDocument, { query: "where are stars born", uploadId: upload.id }, { token: user.accessToken })).search;
    expect(hits[0].text).toContain("Nebulae");
    const chapterDeadline = Date.now() + 10_000;
    const chapterHits = async () =>
      ok(await graphqlClient(`${after.url}/graphql`)(SearchDocument, { query: "solar wind magnetosphere", courseId: course.id }, { token: user.accessToken })).search;
    while ((await chapterHits()).length === 0) {
      if (Date.now() > chapterDeadline) throw new Error("chapter not re-embedded");
      await sleep(50);
    }
  } finally {
    await after.stop();
  }
}, 30_000);

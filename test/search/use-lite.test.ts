import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { loadConfig } from "../../src/config";
import { dot } from "../../src/infra/ai/vectors";
import { createServer, type AppServer } from "../../src/server";
import { SearchDocument, UploadDocument, UploadFileDocument } from "../generated/graphql";
import { registerUser } from "../accounts/support";
import { offline } from "../ai/providers";
import { ok } from "../courses/support";
import { graphqlClient } from "../helpers/graphql";
import { uploadRequest } from "../helpers/upload";
import { countRows } from "../uploads/support";

/** The offline provider's second embedding model: Universal Sentence Encoder Lite, from npm packages, no network. */

const MATERIAL = {
  "nebulae.txt": "Nebulae are clouds of gas where stars are born.",
  "pasta.txt": "Boil the pasta in salted water for ten minutes, then drain it.",
  "engine.txt": "Change the engine oil of your car every ten thousand kilometres.",
};

test("USE-lite names its own embedding space and gives unit vectors of 512 numbers that are close for the same meaning", async () => {
  const { provider, recorder } = offline({ embeddingModel: "use-lite" });
  expect(provider.embeddingModelId).toBe("offline/use-lite-v1/512");
  expect(await provider.embeddingDimensions()).toBe(512);
  const [age, sameAge, lava] = await provider.embed(["How old are you?", "What is your age?", "Volcanoes erupt lava."], "document");
  expect(age).toHaveLength(512);
  expect(dot(age, age)).toBeCloseTo(1, 6);
  expect(dot(age, sameAge)).toBeGreaterThan(dot(age, lava) + 0.3);
  expect(recorder.entries.at(-1)).toMatchObject({ provider: "offline", model: "use-lite-v1", purpose: "embedding" });
}, 60_000);

describe("switching the offline embedding model", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "ai-learning-use-lite-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  /** A server on the same data directory each time, so the embedded database outlives it; vector ranking only, to see the embeddings. */
  const start = (env: Record<string, string> = {}): Promise<AppServer> =>
    createServer(
      loadConfig({
        NODE_ENV: "test",
        HOST: "127.0.0.1",
        PORT: "0",
        DATA_DIR: dataDir,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
        BCRYPT_COST: "4",
        JWT_SECRET_KEY: "use-lite-test-secret",
        AI_PROVIDER: "offline",
        SEARCH_RANKING: "vector",
        ...env,
      }),
    );

  test("re-embeds stored uploads with USE-lite in the background, which then finds a passage by its meaning", async () => {
    const before = await start();
    const gql = graphqlClient(`${before.url}/graphql`);
    const user = await registerUser(gql);
    const uploads: Record<string, string> = {};
    for (const [filename, content] of Object.entries(MATERIAL)) {
      const { id } = ok(
        await uploadRequest(`${before.url}/graphql`, UploadFileDocument, { file: null }, [{ variablePath: "variables.file", filename, contentType: "text/plain", content }], {
          token: user.accessToken,
        }),
      ).uploadFile;
      while (ok(await gql(UploadDocument, { id }, { token: user.accessToken })).upload!.status !== "READY") await sleep(20);
      uploads[filename] = id;
    }
    await before.stop();

    const after = await start({ OFFLINE_EMBEDDING_MODEL: "use-lite" });
    try {
      const deadline = Date.now() + 30_000;
      while ((await countRows("embeddings", { embedding_model_id: "offline/use-lite-v1/512" })) < Object.keys(MATERIAL).length) {
        if (Date.now() > deadline) throw new Error("not re-embedded with USE-lite");
        await sleep(100);
      }
      const search = (query: string) => graphqlClient(`${after.url}/graphql`)(SearchDocument, { query, limit: 3 }, { token: user.accessToken });
      // No word in common with the passages it should find.
      expect(ok(await search("Where do new suns come from?")).search[0].source.id).toBe(uploads["nebulae.txt"]);
      expect(ok(await search("How often does a vehicle need its lubricant replaced?")).search[0].source.id).toBe(uploads["engine.txt"]);
      expect(ok(await search("How should I cook spaghetti?")).search[0].source.id).toBe(uploads["pasta.txt"]);
    } finally {
      await after.stop();
    }
  }, 90_000);
});

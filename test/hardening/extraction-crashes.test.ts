import { setTimeout as sleep } from "node:timers/promises";
import { rmSync } from "node:fs";
import { startInstance, type Instance } from "../helpers/instance";
import { makePdf, makePdfBomb } from "../uploads/fixtures";

/**
 * Hostile PDFs against the real server in its own process: a file that exhausts the parser's
 * memory fails its upload and nothing else, and a file whose ingestion keeps ending the server
 * (here: the server is killed while reading it, twice) is failed for good instead of being
 * claimed again by every restart.
 */
const ENV = { JWT_SECRET_KEY: "extraction-crash-test-secret-".repeat(2), RATE_LIMIT_REQUESTS: "0", BCRYPT_COST: "4" };
const instances: Instance[] = [];

afterAll(async () => {
  for (const instance of instances) await instance.kill().catch(() => undefined);
  for (const dir of new Set(instances.map((instance) => instance.dataDir))) rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string>, dataDir?: string): Promise<Instance> {
  const instance = await startInstance({ ...ENV, ...env }, { dataDir });
  instances.push(instance);
  return instance;
}

async function gql<T>(api: Instance, token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(api.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function register(api: Instance, email: string): Promise<string> {
  const data = await gql<{ register: { accessToken: string } }>(api, undefined, "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }", {
    input: { email, name: "Uploader", password: "a long enough password" },
  });
  return data.register.accessToken;
}

async function upload(api: Instance, token: string, name: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query: "mutation($file: Upload!) { uploadFile(file: $file) { id } }", variables: { file: null } }));
  form.append("map", JSON.stringify({ 0: ["variables.file"] }));
  form.append("0", new Blob([bytes], { type: "application/pdf" }), name);
  const response = await fetch(api.graphqlUrl, { method: "POST", headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" }, body: form });
  const body = (await response.json()) as { data: { uploadFile: { id: string } } };
  return body.data.uploadFile.id;
}

type State = { status: string; error: string | null };
const status = async (api: Instance, token: string, id: string) =>
  (await gql<{ upload: State }>(api, token, "query($id: ID!) { upload(id: $id) { status error } }", { id })).upload;

async function until(api: Instance, token: string, id: string, wanted: (state: State) => boolean, timeoutMs = 60_000): Promise<State> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await status(api, token, id);
    if (wanted(state)) return state;
    if (Date.now() > deadline) throw new Error(`upload still ${JSON.stringify(state)}`);
    await sleep(50);
  }
}

const finished = (state: State) => state.status === "READY" || state.status === "FAILED";

test("a PDF that exhausts the parser's memory fails its upload; the server goes on", async () => {
  const api = await start({ EXTRACT_MAX_HEAP_MB: "64" });
  const token = await register(api, "bomber@example.com");
  const outOfMemory = await upload(api, token, "bomb.pdf", makePdfBomb(12 * 1024 * 1024));
  const refused = await upload(api, token, "bigger-bomb.pdf", makePdfBomb());
  expect(await until(api, token, outOfMemory, finished)).toEqual({ status: "FAILED", error: expect.stringMatching(/needs more memory than allowed/) });
  expect(await until(api, token, refused, finished)).toEqual({ status: "FAILED", error: expect.stringMatching(/cannot be read safely/) });
  expect((await fetch(`${api.url}/health`)).status).toBe(200);
  const ordinary = await upload(api, token, "notes.pdf", await makePdf());
  expect(await until(api, token, ordinary, finished)).toEqual({ status: "READY", error: null });
  expect(api.logs.join("\n")).not.toMatch(/uncaught exception|Reached heap limit/);
}, 120_000);

test("an upload whose ingestion ended the server twice is FAILED with a reason and never claimed again", async () => {
  // The lease lasts twice the extraction timeout: 4 s here, so restarts pick the upload up soon.
  const env = { EXTRACT_TIMEOUT_SECONDS: "2", EXTRACT_MAX_HEAP_MB: "2048" };
  let api = await start(env);
  const dataDir = api.dataDir;
  const token = await register(api, "crasher@example.com");
  const id = await upload(api, token, "slow.pdf", makePdfBomb(12 * 1024 * 1024));
  for (let crash = 1; crash <= 2; crash++) {
    await until(api, token, id, (state) => state.status === "EXTRACTING");
    await api.kill();
    await sleep(4_500);
    api = await start(env, dataDir);
  }
  const state = await until(api, token, id, finished);
  expect(state).toEqual({ status: "FAILED", error: expect.stringMatching(/interrupted twice/) });
  expect((await fetch(`${api.url}/health`)).status).toBe(200);
  // Still FAILED after the lease would have run out: nobody claims it again.
  await sleep(4_500);
  expect(await status(api, token, id)).toEqual(state);
}, 180_000);

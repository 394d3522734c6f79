import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { LoginDocument, MeDocument } from "../generated/graphql";
import { graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { ACCOUNTS_ENV, PASSWORD, errorCode, registerUser, type Gql } from "./support";

const run = promisify(execFile);
// Each run starts a fresh Node process that compiles TypeScript on the fly: slow on a busy machine.
jest.setTimeout(90_000);
const ROOT = resolve(__dirname, "../..");
const DATABASE_NAME = "create_admin_test";

let engine: EmbeddedMongo;
let dataDir: string;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  dataDir = mkdtempSync(join(tmpdir(), "create-admin-"));
});
afterAll(async () => {
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The real command, against the same database a server then uses. */
async function createAdmin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    PATH: process.env.PATH,
    MONGODB_URL: engine.uri,
    DATABASE_NAME,
    DATA_DIR: dataDir,
    BCRYPT_COST: "4",
  };
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "create-admin", "--", ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

async function withServer<T>(env: Record<string, string>, work: (gql: Gql) => Promise<T>): Promise<T> {
  const server: TestServer = await startTestServer({ ...ACCOUNTS_ENV, MONGODB_URL: engine.uri, DATABASE_NAME, ...env });
  try {
    return await work(graphqlClient(server.graphqlUrl));
  } finally {
    await server.stop();
  }
}

/** With MONGODB_URL the server connects in the background; give it a moment. */
async function eventually<T>(attempt: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((done) => setTimeout(done, 50));
  }
}

const signIn = (gql: Gql, email: string, password: string) =>
  eventually(async () => {
    const response = await gql(LoginDocument, { input: { email, password } });
    return response.data || errorCode(response) !== "SERVICE_UNAVAILABLE" ? response : undefined;
  });

describe("npm run create-admin", () => {
  it("creates an admin the server then signs in", async () => {
    const result = await createAdmin("--email", "Ops@Example.com", "--password", "ops password 1", "--name", "Ops");
    expect(result).toMatchObject({ code: 0, stdout: "created admin ops@example.com\n" });
    await withServer({}, async (gql) => {
      const response = await signIn(gql, "ops@example.com", "ops password 1");
      expect(response.data?.login.user).toMatchObject({ email: "ops@example.com", name: "Ops", role: "ADMIN", isActive: true });
    });
  });

  it("leaves an existing account alone unless told to promote it, and keeps its password", async () => {
    const email = "someone@example.com";
    await withServer({}, async (gql) => {
      await eventually(async () => (await registerUser(gql, { email }).catch(() => undefined)));
    });
    const refused = await createAdmin("--email", email, "--password", "another password");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already has an account; pass --promote/);

    const promoted = await createAdmin("--email", email, "--password", "another password", "--promote");
    expect(promoted.code).toBe(0);
    await withServer({}, async (gql) => {
      const response = await signIn(gql, email, PASSWORD);
      const me = await gql(MeDocument, {}, { token: response.data?.login.accessToken });
      expect(me.data?.me.role).toBe("ADMIN");
      expect(errorCode(await gql(LoginDocument, { input: { email, password: "another password" } }))).toBe("UNAUTHENTICATED");
    });
  });

  it("refuses bad input with the rule and the usage", async () => {
    const result = await createAdmin("--email", "not-an-email", "--password", "short");
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/email/);
    expect(result.stderr).toMatch(/usage: npm run create-admin/);
  });
});

describe("ADMIN_EMAIL at start-up", () => {
  it("creates the admin once MongoDB is reachable, without holding up start-up", async () => {
    const email = "boot@example.com";
    await withServer({ ADMIN_EMAIL: email, ADMIN_PASSWORD: "boot password 1" }, async (gql) => {
      const response = await eventually(async () => (await gql(LoginDocument, { input: { email, password: "boot password 1" } })).data ?? undefined);
      expect(response.login.user).toMatchObject({ email, name: "Administrator", role: "ADMIN" });
    });
  });

  it("never overwrites an existing account", async () => {
    const email = "taken@example.com";
    await withServer({}, async (gql) => {
      await eventually(async () => (await registerUser(gql, { email }).catch(() => undefined)));
    });
    await withServer({ ADMIN_EMAIL: email, ADMIN_PASSWORD: "admin password 1" }, async (gql) => {
      const response = await signIn(gql, email, PASSWORD);
      expect(response.data?.login.user.role).toBe("STUDENT");
      expect(errorCode(await gql(LoginDocument, { input: { email, password: "admin password 1" } }))).toBe("UNAUTHENTICATED");
    });
  });
});

import { execFile, spawn } from "node:child_process";
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

/** The command with `stdin` piped in, or typed at a terminal (util-linux's `script` gives it one) once it asks. */
function createAdminInteractive(args: string[], env: Record<string, string>, answers: string[], terminal: boolean) {
  const command = ["npm", "run", "-s", "create-admin", "--", ...args];
  const child = terminal
    ? spawn("script", ["-qec", command.join(" "), "/dev/null"], { cwd: ROOT, env: { PATH: process.env.PATH, ...env } })
    : spawn(command[0], command.slice(1), { cwd: ROOT, env: { PATH: process.env.PATH, ...env } });
  let output = "";
  let answered = 0;
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString();
    // At a terminal, type each answer only once it is asked for: typed earlier, the terminal would echo it.
    while (terminal && answered < answers.length && output.split("Password").length - 1 > answered) child.stdin.write(`${answers[answered++]}\r`);
  };
  child.stdout.on("data", onOutput);
  child.stderr.on("data", onOutput);
  if (!terminal) child.stdin.end(answers.map((answer) => `${answer}\n`).join(""));
  return new Promise<{ code: number; output: string }>((done) => child.on("exit", (code) => done({ code: code ?? -1, output })));
}

describe("npm run create-admin without --password", () => {
  const env = () => ({ MONGODB_URL: engine.uri, DATABASE_NAME, DATA_DIR: dataDir, BCRYPT_COST: "4" });

  it("asks for it twice at a terminal without showing it", async () => {
    const result = await createAdminInteractive(["--email", "typed@example.com"], env(), ["typed secret 1", "typed secret 1"], true);
    expect(result.output).toContain("created admin typed@example.com");
    expect(result.output).not.toContain("typed secret 1");
    expect(result.code).toBe(0);
    await withServer({}, async (gql) => {
      expect((await signIn(gql, "typed@example.com", "typed secret 1")).data?.login.user.role).toBe("ADMIN");
    });
  });

  it("reads it from the first line of stdin when that is not a terminal", async () => {
    const result = await createAdminInteractive(["--email", "piped@example.com"], env(), ["piped secret 1"], false);
    expect(result).toMatchObject({ code: 0, output: "created admin piped@example.com\n" });
    await withServer({}, async (gql) => {
      expect((await signIn(gql, "piped@example.com", "piped secret 1")).data?.login.user.role).toBe("ADMIN");
    });
  });
});

describe("npm run create-admin beside a development server", () => {
  it("goes through the server that holds the embedded database instead of being refused its lock", async () => {
    const devData = mkdtempSync(join(tmpdir(), "create-admin-dev-"));
    const server = await startTestServer({ ...ACCOUNTS_ENV, DATA_DIR: devData, DATABASE_IN_MEMORY: "false" });
    try {
      const result = await createAdminInteractive(["--email", "beside@example.com"], { DATA_DIR: devData, BCRYPT_COST: "4" }, ["beside secret 1"], false);
      expect(result.output).toMatch(/is served by process \d+: using it at mongodb:\/\/127\.0\.0\.1:\d+\//);
      expect(result.output).toContain("created admin beside@example.com");
      expect(result.code).toBe(0);
      const gql = graphqlClient(server.graphqlUrl);
      expect((await gql(LoginDocument, { input: { email: "beside@example.com", password: "beside secret 1" } })).data?.login.user.role).toBe("ADMIN");
    } finally {
      await server.stop();
      rmSync(devData, { recursive: true, force: true });
    }
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

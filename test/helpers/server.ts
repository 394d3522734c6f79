import "reflect-metadata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config, type Environment } from "../../src/config";
import { createServer, type AppServer } from "../../src/server";

export interface TestServer {
  /** e.g. `http://127.0.0.1:40123` */
  url: string;
  graphqlUrl: string;
  wsUrl: string;
  config: Config;
  server: AppServer;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/**
 * A real server on a free port with a fresh in-memory embedded database and its own data
 * directory. Start one per test file (`beforeAll`) and stop it in `afterAll`.
 * `env` adds or overrides variables; the real environment is ignored, so tests never depend on it.
 */
export async function startTestServer(env: Environment = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "ai-learning-test-"));
  const config = loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir,
    DATABASE_IN_MEMORY: "true",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    // The lowest cost bcrypt allows: hashing at the production cost would dominate test time.
    BCRYPT_COST: "4",
    ...env,
  });
  const server = await createServer(config);
  return {
    url: server.url,
    graphqlUrl: `${server.url}/graphql`,
    wsUrl: `${server.url.replace(/^http/, "ws")}/graphql`,
    config,
    server,
    async stop() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

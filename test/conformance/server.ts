import { MongoClient } from "mongodb";
import { startEmbeddedMongo } from "../../src/embedded-mongo";
import type { ServerInfo } from "./requirements";

/** A server under test, with the internal client the runner uses for setup and outcome checks. */
export interface ServerUnderTest {
  uri: string;
  internal: MongoClient;
  stop(): Promise<void>;
}

/**
 * Fail fast instead of the driver's 30 s default when the server stops answering. Given as URI
 * options so that a test's own uriOptions override them, as the test format requires.
 */
export const DEFAULT_URI_OPTIONS = { serverSelectionTimeoutMS: 5000, connectTimeoutMS: 5000 };

/**
 * A fresh embedded engine, or, with MONGO_URI set, a connection to an existing server (to check
 * the runner itself against a real mongod).
 */
export async function startServer(): Promise<ServerUnderTest> {
  const external = process.env.MONGO_URI;
  const engine = external ? undefined : await startEmbeddedMongo({ port: 0 });
  const uri = external ?? engine!.uri;
  const internal = new MongoClient(uri, DEFAULT_URI_OPTIONS);
  await internal.connect();
  return {
    uri,
    internal,
    stop: async () => {
      await internal.close().catch(() => undefined);
      await engine?.stop();
    },
  };
}

function hasPackage(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** Version from buildInfo.versionArray and topology from hello, as the test format prescribes. */
export async function describeServer(server: ServerUnderTest): Promise<ServerInfo> {
  const admin = server.internal.db("admin");
  const buildInfo = await admin.command({ buildInfo: 1 });
  const hello = await admin.command({ hello: 1 });
  const topology = hello.msg === "isdbgrid" ? "sharded" : hello.setName ? "replicaset" : hello.serviceId ? "load-balanced" : "single";
  const parameters = await admin.command({ getParameter: "*" }).catch(() => undefined);
  const url = new URL(server.uri);
  return {
    version: (buildInfo.versionArray as number[]).slice(0, 3).map(Number),
    topology,
    // Atlas Serverless cannot be detected from the server; none of our targets is serverless.
    serverless: false,
    auth: url.username !== "",
    csfle: hasPackage("mongodb-client-encryption"),
    parameters,
  };
}

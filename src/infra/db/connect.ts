import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import mongoose from "mongoose";
import { randomBytes } from "node:crypto";
import { keptSecret, type Config } from "../../config";
import { servingUri, startEmbeddedMongo } from "../../embedded-mongo";
import type { Logger } from "../../lib/logger";
import { FAIL_FAST_OPTIONS, failFastWhileDisconnected } from "./availability";
import type { Database, DatabaseCheck } from "./database";

const PING_TIMEOUT_MS = 2_000;
/** The embedded engine's root user; its password is kept in DATA_DIR next to the JWT secret. */
const EMBEDDED_USER = "app";
const EMBEDDED_PASSWORD_FILE = "embedded-db-password";
const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 30_000;
/**
 * Command events feed the db_command_duration_seconds metric (src/server/metrics/sources.ts); only
 * when asked for (DB_COMMAND_MONITORING), since the driver then decodes every reply twice.
 */
const driverOptions = (config: Config) => ({ monitorCommands: config.database.commandMonitoring, ...FAIL_FAST_OPTIONS });

/**
 * Connects mongoose's default connection (the one Typegoose models use) to MONGODB_URL, or to an
 * embedded engine started here when it is unset.
 */
export async function connectDatabase(config: Config, log: Logger): Promise<Database> {
  failFastWhileDisconnected();
  return config.database.url ? connectMongoDb(config.database.url, config, log) : startEmbedded(config, log);
}

/** The directory the embedded engine keeps its data in, unless it is in memory only. */
function embeddedDataDir(config: Config): string | undefined {
  return config.database.inMemory ? undefined : join(config.dataDir, "db");
}

/**
 * For tools that run beside a server: the address of the process already serving this
 * configuration's embedded database (a development server, `npm run db`), if one does.
 */
export async function runningEmbeddedDatabase(config: Config): Promise<{ uri: string; pid: number } | undefined> {
  const dataDir = config.database.url ? undefined : embeddedDataDir(config);
  return dataDir ? servingUri(dataDir) : undefined;
}

async function startEmbedded(config: Config, log: Logger): Promise<Database> {
  const dataDir = embeddedDataDir(config);
  // Only this process knows the password, so no other local process can read or change the data.
  const password = dataDir ? keptSecret(config.dataDir, EMBEDDED_PASSWORD_FILE).secretKey : randomBytes(32).toString("base64url");
  const engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0, dataDir, auth: { user: EMBEDDED_USER, password } });
  try {
    await mongoose.connect(engine.uri, { ...driverOptions(config), dbName: config.database.name });
  } catch (error) {
    await engine.stop();
    throw error;
  }
  log.info(
    { database: config.database.name, uri: redactCredentials(engine.uri), storage: dataDir ?? "memory" },
    `database: embedded engine at ${redactCredentials(engine.uri)} (${dataDir ? `data in ${dataDir}` : "in memory"})`,
  );
  return {
    kind: "embedded",
    check: () => ping("embedded"),
    async close() {
      await mongoose.disconnect();
      await engine.stop();
    },
  };
}

/** Returns at once; connects in the background, retrying with back-off while MongoDB is down. */
function connectMongoDb(url: string, config: Config, log: Logger): Database {
  const shown = redactCredentials(url);
  const stopping = new AbortController();
  const connecting = (async () => {
    for (let attempt = 0; !stopping.signal.aborted; attempt++) {
      try {
        await mongoose.connect(url, {
          ...driverOptions(config),
          dbName: config.database.name,
        });
        log.info({ database: config.database.name, uri: shown }, `database: MongoDB at ${shown}`);
        return;
      } catch (error) {
        if (stopping.signal.aborted) return;
        const retryInMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** attempt);
        log.warn({ uri: shown, err: (error as Error).message, retryInMs }, "database: MongoDB unreachable, retrying");
        await sleep(retryInMs, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  })();
  return {
    kind: "mongodb",
    check: () => ping("mongodb"),
    async close() {
      stopping.abort();
      await connecting;
      await mongoose.disconnect();
    },
  };
}

async function ping(kind: Database["kind"]): Promise<DatabaseCheck> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) {
    return { status: "unhealthy", kind, error: "not connected" };
  }
  const started = performance.now();
  try {
    await db.command({ ping: 1 }, { timeoutMS: PING_TIMEOUT_MS });
    return { status: "healthy", kind, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { status: "unhealthy", kind, error: (error as Error).message };
  }
}

/** An address to show a person: the host, without the user and password it may carry. */
export function withoutCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/, "//");
}

/** Logs may be shipped elsewhere: never print a database password. */
function redactCredentials(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
}

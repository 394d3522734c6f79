import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { DurableStore, type CompactionOptions } from "./persistence/durable-store";
import { LOCK_FILE, URI_FILE } from "./persistence/files";
import { ensureRootUser } from "./auth/initial-user";
import { EmbeddedMongoServer } from "./server";
import { StorageEngine } from "./storage/engine";

export interface EmbeddedMongoOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
  /**
   * Directory to keep the data in (created when missing; one process at a time). Every write is
   * journaled and fsync'd before it is acknowledged. Unset: data lives in memory only.
   */
  dataDir?: string;
  /** With `dataDir`: when the journal is folded into a new snapshot. */
  compaction?: CompactionOptions;
  /**
   * Require SCRAM-SHA-256 authentication for every command but the handshake. `true`: users
   * are created with `createUser` (the first one from a fresh server, as mongod's localhost
   * exception allows). `{ user, password }`: that root user is created, or given this password.
   */
  auth?: boolean | { user: string; password: string };
}

export interface EmbeddedMongo {
  /** `mongodb://host:port/` for the driver or mongoose (with the user and password of `auth: { user, password }`). */
  uri: string;
  port: number;
  /** Closes every connection and the listener, stops the TTL monitor, flushes the journal and unlocks `dataDir`. */
  stop(): Promise<void>;
}

/** Starts an in-process MongoDB-compatible server that the official driver talks to over TCP. */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? "127.0.0.1";
  const store = options.dataDir === undefined ? undefined : await DurableStore.open(options.dataDir, options.compaction);
  const engine = store?.engine ?? new StorageEngine();
  if (typeof options.auth === "object") await engine.commit(ensureRootUser(engine, options.auth.user, options.auth.password));
  const server = new EmbeddedMongoServer(engine, options.auth !== undefined && options.auth !== false);
  const uriFile = options.dataDir === undefined ? undefined : join(options.dataDir, URI_FILE);
  const stop = async () => {
    if (uriFile) await rm(uriFile, { force: true });
    await server.stop();
    await store?.close();
  };
  let port: number;
  try {
    port = await server.listen(host, options.port ?? 0);
  } catch (error) {
    await store?.close();
    throw error;
  }
  const uriHost = host.includes(":") ? `[${host}]` : host;
  const credentials = typeof options.auth === "object" ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.password)}@` : "";
  const uri = `mongodb://${credentials}${uriHost}:${port}/`;
  // The address may carry the engine's password: readable by this user only, as the password file is.
  if (uriFile) await writeFile(uriFile, `${uri}\n`, { mode: 0o600 });
  return { uri, port, stop };
}

/**
 * Where a live process serves `dataDir`, if one does: a tool (create-admin) then goes through it
 * instead of being refused the directory's lock.
 */
export async function servingUri(dataDir: string): Promise<{ uri: string; pid: number } | undefined> {
  try {
    const pid = Number((await readFile(join(dataDir, LOCK_FILE), "utf8")).trim());
    const uri = (await readFile(join(dataDir, URI_FILE), "utf8")).trim();
    process.kill(pid, 0);
    return uri ? { uri, pid } : undefined;
  } catch {
    // No lock, no address, or its process is gone: nobody is serving it.
    return undefined;
  }
}

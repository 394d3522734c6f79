import type { StorageEngine } from "../storage/engine";
import type { StorageOp } from "../storage/ops";
import { deriveCredentials } from "./scram";
import { findUser } from "./users";

/**
 * Makes `user` (on admin, role root) hold `password`: created on first start, its credentials
 * replaced when the password changed. Returns the ops to commit.
 */
export function ensureRootUser(engine: StorageEngine, user: string, password: string): StorageOp[] {
  const log: StorageOp[] = [];
  const existing = findUser(engine, "admin", user);
  const current = existing?.credentials["SCRAM-SHA-256"];
  if (current && deriveCredentials(password, Buffer.from(current.salt, "base64"), current.iterationCount).storedKey === current.storedKey) return log;
  engine.ensureCollection("admin", "system.users", log);
  const doc = { _id: `admin.${user}`, user, db: "admin", credentials: { "SCRAM-SHA-256": deriveCredentials(password) }, roles: [{ role: "root", db: "admin" }] };
  engine.apply(existing ? { op: "replace", db: "admin", coll: "system.users", doc } : { op: "insert", db: "admin", coll: "system.users", doc }, log);
  return log;
}

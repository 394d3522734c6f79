import type { Document } from "bson";
import { commandError } from "../errors";
import type { CommandContext, CommandTable } from "../commands/context";
import { deleteDocument, insertDocument, replaceDocument, writableCollection } from "../commands/writes";
import type { StorageEngine } from "../storage/engine";
import { isBuiltInRole, type RoleGrant } from "./roles";
import { deriveCredentials, type ScramCredentials } from "./scram";

/** Users live where mongod keeps them, so they are journaled and survive restarts like any data. */
const USERS_DB = "admin";
const USERS_COLL = "system.users";

export interface StoredUser {
  _id: string;
  user: string;
  db: string;
  credentials: { "SCRAM-SHA-256": ScramCredentials };
  roles: RoleGrant[];
}

export function findUser(engine: StorageEngine, db: string, user: string): StoredUser | undefined {
  return engine.collection(USERS_DB, USERS_COLL)?.getById(`${db}.${user}`) as StoredUser | undefined;
}

export function hasUsers(engine: StorageEngine): boolean {
  return (engine.collection(USERS_DB, USERS_COLL)?.docs.size ?? 0) > 0;
}

function parseRoles(raw: unknown, db: string): RoleGrant[] {
  if (!Array.isArray(raw)) throw commandError("BadValue", "\"roles\" field must be an array");
  return raw.map((entry) => {
    const grant = typeof entry === "string" ? { role: entry, db } : { role: String((entry as Document)?.role), db: String((entry as Document)?.db ?? db) };
    if (!isBuiltInRole(grant.role, grant.db)) throw commandError("RoleNotFound", `Could not find role: ${grant.role}@${grant.db}`);
    return grant;
  });
}

function password(command: Document): string {
  const pwd = command.pwd;
  if (typeof pwd !== "string" || pwd.length === 0) throw commandError("BadValue", "Must provide a 'pwd' field for all user documents");
  return pwd;
}

function userName(command: Document, field: string): string {
  const name = command[field];
  if (typeof name !== "string" || name.length === 0) throw commandError("BadValue", "User name must be a non-empty string");
  return name;
}

function usersCollection(ctx: CommandContext) {
  return writableCollection(ctx, USERS_COLL, USERS_DB);
}

function createUser(command: Document, ctx: CommandContext): Document {
  const user = userName(command, "createUser");
  if (command.mechanisms !== undefined && !(Array.isArray(command.mechanisms) && command.mechanisms.every((m) => m === "SCRAM-SHA-256"))) {
    throw commandError("BadValue", "Only SCRAM-SHA-256 is supported");
  }
  if (findUser(ctx.engine, ctx.db, user)) throw commandError("Location51003", `User "${user}@${ctx.db}" already exists`);
  const doc: StoredUser = { _id: `${ctx.db}.${user}`, user, db: ctx.db, credentials: { "SCRAM-SHA-256": deriveCredentials(password(command)) }, roles: parseRoles(command.roles ?? [], ctx.db) };
  insertDocument(ctx, usersCollection(ctx), doc as unknown as Document, true);
  return { ok: 1 };
}

function updateUser(command: Document, ctx: CommandContext): Document {
  const user = userName(command, "updateUser");
  const existing = findUser(ctx.engine, ctx.db, user);
  if (!existing) throw commandError("UserNotFound", `Could not find user "${user}" for db "${ctx.db}"`);
  const next: StoredUser = { ...existing };
  if (command.pwd !== undefined) next.credentials = { "SCRAM-SHA-256": deriveCredentials(password(command)) };
  if (command.roles !== undefined) next.roles = parseRoles(command.roles, ctx.db);
  replaceDocument(ctx, usersCollection(ctx), next as unknown as Document, existing as unknown as Document, true);
  return { ok: 1 };
}

function dropUser(command: Document, ctx: CommandContext): Document {
  const user = userName(command, "dropUser");
  if (!findUser(ctx.engine, ctx.db, user)) throw commandError("UserNotFound", `Could not find user "${user}" for db "${ctx.db}"`);
  deleteDocument(ctx, usersCollection(ctx), `${ctx.db}.${user}`);
  return { ok: 1 };
}

/** `usersInfo`: 1 (this database's users), a name, `{user, db}`, or a list of those; never the credentials unless asked. */
function usersInfo(command: Document, ctx: CommandContext): Document {
  const spec = command.usersInfo;
  const all = [...(ctx.engine.collection(USERS_DB, USERS_COLL)?.docs.values() ?? [])] as unknown as StoredUser[];
  const wanted = (Array.isArray(spec) ? spec : [spec]).map((s) => (typeof s === "string" ? { user: s, db: ctx.db } : s));
  const users = all.filter((u) =>
    spec === 1 ? u.db === ctx.db : wanted.some((w) => isPlain(w) && w.user === u.user && (w.db ?? ctx.db) === u.db),
  );
  return {
    users: users.map((u) => ({
      _id: u._id,
      userId: u._id,
      user: u.user,
      db: u.db,
      roles: u.roles,
      mechanisms: ["SCRAM-SHA-256"],
      ...(command.showCredentials ? { credentials: u.credentials } : {}),
    })),
    ok: 1,
  };
}

function isPlain(v: unknown): v is Document {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export const userCommands: CommandTable = {
  createuser: createUser,
  updateuser: updateUser,
  dropuser: dropUser,
  usersinfo: usersInfo,
};

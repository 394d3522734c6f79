/** The built-in roles the engine knows, and what each lets a user run (by lower-cased command name). */
export const BUILT_IN_ROLES = ["read", "readWrite", "dbAdmin", "userAdmin", "dbOwner", "root", "readAnyDatabase", "readWriteAnyDatabase"] as const;

export interface RoleGrant {
  role: string;
  db: string;
}

const READ = ["find", "getmore", "killcursors", "count", "distinct", "aggregate", "listcollections", "listindexes", "dbstats", "collstats", "datasize", "explain", "listsearchindexes"];
const WRITE = ["insert", "update", "delete", "bulkwrite", "findandmodify", "create", "drop", "createindexes", "dropindexes", "renamecollection", "createsearchindexes", "updatesearchindex", "dropsearchindex"];
const DB_ADMIN = ["collmod", "collstats", "dbstats", "create", "drop", "dropdatabase", "createindexes", "dropindexes", "listcollections", "listindexes", "validate", "renamecollection", "explain"];
const USER_ADMIN = ["createuser", "updateuser", "dropuser", "usersinfo"];

const ACTIONS: Record<string, ReadonlySet<string>> = {
  read: new Set(READ),
  readWrite: new Set([...READ, ...WRITE]),
  dbAdmin: new Set(DB_ADMIN),
  userAdmin: new Set(USER_ADMIN),
  dbOwner: new Set([...READ, ...WRITE, ...DB_ADMIN, ...USER_ADMIN]),
  readAnyDatabase: new Set(READ),
  readWriteAnyDatabase: new Set([...READ, ...WRITE]),
};

/** Commands any authenticated user may run, whatever their roles. */
const ANY_USER = new Set(["hello", "ismaster", "ping", "buildinfo", "connectionstatus", "endsessions", "logout", "whatsmyuri", "listdatabases", "getparameter", "hostinfo"]);

export function isBuiltInRole(role: string, db: string): boolean {
  if (!(BUILT_IN_ROLES as readonly string[]).includes(role)) return false;
  return !role.endsWith("AnyDatabase") && role !== "root" ? true : db === "admin";
}

/** Whether `grants` allow `command` (lower-cased name) on database `db`. */
export function allows(grants: readonly RoleGrant[], command: string, db: string): boolean {
  if (ANY_USER.has(command)) return grants.length > 0;
  for (const { role, db: roleDb } of grants) {
    if (role === "root" && roleDb === "admin") return true;
    const actions = Object.hasOwn(ACTIONS, role) ? ACTIONS[role] : undefined;
    if (!actions?.has(command)) continue;
    if (role.endsWith("AnyDatabase") ? roleDb === "admin" : roleDb === db) return true;
  }
  return false;
}

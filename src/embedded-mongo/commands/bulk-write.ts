import type { Document } from "bson";
import { commandError, MongoCommandError } from "../errors";
import { boolOption, requireArray } from "./args";
import type { CommandContext, CommandTable } from "./context";
import { runDeleteStatement } from "./delete";
import { prepareForInsert } from "./documents";
import { MAX_WRITE_BATCH_SIZE } from "./handshake";
import { parseNamespace } from "./rename";
import { runUpdateStatement, type UpdateTotals } from "./update";
import { evaluateLet } from "./variables";
import { insertDocument, writableCollection } from "./writes";

/**
 * MongoDB 8.0's `bulkWrite` admin command (the driver's `MongoClient.bulkWrite`): inserts,
 * updates and deletes on any namespaces in one command. Each op runs through the same statement
 * code as the insert, update and delete commands, so its validation, index checks, errors and
 * journal ops are theirs; the command's ops are committed together, like any command's.
 */

type Kind = "insert" | "update" | "delete";

/** The fields each kind of op may carry (mongod refuses any other, as it does here). */
const OP_FIELDS: Record<Kind, ReadonlySet<string>> = {
  insert: new Set(["insert", "document"]),
  update: new Set(["update", "filter", "updateMods", "multi", "upsert", "arrayFilters", "hint", "collation", "sort", "constants"]),
  delete: new Set(["delete", "filter", "multi", "hint", "collation"]),
};

interface ParsedOp {
  kind: Kind;
  ns: { db: string; coll: string };
  op: Document;
}

function isDocument(value: unknown): value is Document {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value as Document)._bsontype;
}

/** Every op is checked before any runs: a malformed op fails the whole command, as on mongod. */
function parseOp(op: unknown, idx: number, namespaces: Array<{ db: string; coll: string }>): ParsedOp {
  if (!isDocument(op)) throw commandError("TypeMismatch", `BulkWrite ops entry ${idx} must be an object`);
  const kinds = (Object.keys(OP_FIELDS) as Kind[]).filter((kind) => kind in op);
  if (kinds.length !== 1) {
    throw commandError("FailedToParse", `BulkWrite ops entry ${idx} must name exactly one of insert, update or delete, got ${kinds.length}`);
  }
  const kind = kinds[0];
  for (const field of Object.keys(op)) {
    if (!OP_FIELDS[kind].has(field)) throw commandError("Location40415", `BSON field 'bulkWrite.ops.${kind}.${field}' is an unknown field.`);
  }
  const nsIndex = op[kind];
  if (typeof nsIndex !== "number" || !Number.isInteger(nsIndex) || nsIndex < 0 || nsIndex >= namespaces.length) {
    throw commandError("BadValue", `BulkWrite ops entry ${idx} has an invalid nsInfo index.`);
  }
  if (kind === "insert" && !isDocument(op.document)) throw commandError("TypeMismatch", `BulkWrite insert entry ${idx} needs a 'document' object`);
  if (kind !== "insert" && !isDocument(op.filter)) throw commandError("TypeMismatch", `BulkWrite ${kind} entry ${idx} needs a 'filter' object`);
  if (kind === "update" && (typeof op.updateMods !== "object" || op.updateMods === null)) {
    throw commandError("TypeMismatch", `BulkWrite update entry ${idx} needs 'updateMods' (an object or a pipeline)`);
  }
  return { kind, ns: namespaces[nsIndex], op };
}

function parseNamespaces(nsInfo: Document[]): Array<{ db: string; coll: string }> {
  return nsInfo.map((entry, i) => {
    if (!isDocument(entry)) throw commandError("TypeMismatch", `BulkWrite nsInfo entry ${i} must be an object`);
    return parseNamespace(entry.ns, "bulkWrite nsInfo");
  });
}

/** The databases a bulkWrite writes to, for authorization (it runs on admin). */
export function bulkWriteDatabases(command: Document): string[] {
  const nsInfo = Array.isArray(command.nsInfo) ? (command.nsInfo as unknown[]) : [];
  return [...new Set(nsInfo.map((entry) => (isDocument(entry) && typeof entry.ns === "string" ? entry.ns.split(".")[0] : "")))];
}

/** The command's running counts, as its reply spells them. */
interface Counts {
  nErrors: number;
  nInserted: number;
  nMatched: number;
  nModified: number;
  nUpserted: number;
  nDeleted: number;
}

/** Runs one op in its namespace's database and returns its reply entry; throws its failure. */
function runOp({ kind, ns, op }: ParsedOp, idx: number, ctx: CommandContext, variables: Document | undefined, bypass: boolean, counts: Counts, totals: UpdateTotals): Document {
  const opCtx: CommandContext = { ...ctx, db: ns.db };
  if (kind === "insert") {
    insertDocument(opCtx, writableCollection(opCtx, ns.coll), prepareForInsert(op.document), bypass);
    counts.nInserted++;
    return { ok: 1, idx, n: 1 };
  }
  if (kind === "delete") {
    const statement = { q: op.filter, limit: boolOption(op, "multi", false) ? 0 : 1, hint: op.hint, collation: op.collation };
    const n = runDeleteStatement(statement, ns.coll, opCtx, variables);
    counts.nDeleted += n;
    return { ok: 1, idx, n };
  }
  const statement = {
    q: op.filter,
    u: op.updateMods,
    c: op.constants,
    multi: op.multi,
    upsert: op.upsert,
    arrayFilters: op.arrayFilters,
    hint: op.hint,
    collation: op.collation,
    sort: op.sort,
  };
  const upsertedId = runUpdateStatement(statement, ns.coll, opCtx, variables, bypass, totals);
  const entry: Document = { ok: 1, idx, n: totals.n, nModified: totals.nModified };
  if (upsertedId !== undefined) {
    entry.upserted = { _id: upsertedId };
    counts.nUpserted++;
  }
  return entry;
}

function errorEntry(error: unknown, idx: number, kind: Kind): Document {
  if (!(error instanceof MongoCommandError)) throw error;
  return { ok: 0, idx, n: 0, ...(kind === "update" ? { nModified: 0 } : {}), errmsg: error.message, code: error.code, codeName: error.codeName, ...error.extra };
}

function bulkWrite(command: Document, ctx: CommandContext): Document {
  if (ctx.db !== "admin") throw commandError("Unauthorized", "bulkWrite may only be run against the admin database.");
  const ops = requireArray(command, "ops");
  if (ops.length === 0 || ops.length > MAX_WRITE_BATCH_SIZE) {
    throw commandError("InvalidLength", `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}. Got ${ops.length} operations.`);
  }
  const namespaces = parseNamespaces(requireArray(command, "nsInfo"));
  const parsed = ops.map((op, idx) => parseOp(op, idx, namespaces));
  const ordered = boolOption(command, "ordered", true);
  const errorsOnly = boolOption(command, "errorsOnly", false);
  const bypass = boolOption(command, "bypassDocumentValidation", false);
  const variables = evaluateLet(command);
  const counts: Counts = { nErrors: 0, nInserted: 0, nMatched: 0, nModified: 0, nUpserted: 0, nDeleted: 0 };
  const firstBatch: Document[] = [];
  for (let idx = 0; idx < parsed.length; idx++) {
    // An update that fails midway keeps what it already changed (as the update command does), so its counts go on.
    const totals: UpdateTotals = { n: 0, nModified: 0 };
    const upsertsBefore = counts.nUpserted;
    try {
      const entry = runOp(parsed[idx], idx, ctx, variables, bypass, counts, totals);
      if (!errorsOnly) firstBatch.push(entry);
    } catch (error) {
      firstBatch.push(errorEntry(error, idx, parsed[idx].kind));
      counts.nErrors++;
      if (ordered) break;
    } finally {
      // An upsert counts in its op's n but not in the command's nMatched.
      counts.nMatched += totals.n - (counts.nUpserted - upsertsBefore);
      counts.nModified += totals.nModified;
    }
  }
  // Every entry fits in the first batch unless the replies pass 16 MiB (many long errors): the rest then waits for getMore.
  return { cursor: ctx.cursors.open("admin.$cmd.bulkWrite", firstBatch, Infinity), ...counts, ok: 1 };
}

export const bulkWriteCommands: CommandTable = { bulkwrite: bulkWrite };

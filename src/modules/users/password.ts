import { createHash } from "node:crypto";
import bcrypt from "bcrypt";

/**
 * Native bcrypt runs on libuv's thread pool, never on the event loop (bcryptjs did, and 50
 * anonymous sign-ins stalled every other request for seconds). That pool (4 threads by default)
 * also does file reads, DNS and zlib, so at most this many hashes run at once and the rest
 * queue here: a burst of sign-ins delays other sign-ins, not uploads or the database's files.
 */
const MAX_CONCURRENT_HASHES = 2;
/**
 * Of those, what password changes and sign-ups may hold: one slot stays for sign-ins, and waiting
 * sign-ins go first, so a signed-in user changing passwords in a loop cannot make others' logins wait.
 */
const MAX_CONCURRENT_OTHER = 1;

/** What a hash is for: a sign-in keeps its reserved slot and its place ahead in the queue. */
export type PasswordWork = "sign-in" | "other";

let running = 0;
let runningOther = 0;
const waiting: Record<PasswordWork, (() => void)[]> = { "sign-in": [], other: [] };

function canStart(kind: PasswordWork): boolean {
  return running < MAX_CONCURRENT_HASHES && (kind === "sign-in" || runningOther < MAX_CONCURRENT_OTHER);
}

function take(kind: PasswordWork): void {
  running++;
  if (kind === "other") runningOther++;
}

/** Starts the next waiter that may run now: sign-ins first. */
function startNext(): void {
  for (const kind of ["sign-in", "other"] as const) {
    if (waiting[kind].length > 0 && canStart(kind)) {
      take(kind);
      waiting[kind].shift()!();
      return;
    }
  }
}

async function bounded<T>(kind: PasswordWork, work: () => Promise<T>): Promise<T> {
  if (canStart(kind) && waiting[kind].length === 0) take(kind);
  else await new Promise<void>((start) => waiting[kind].push(start));
  try {
    return await work();
  } finally {
    running--;
    if (kind === "other") runningOther--;
    startNext();
  }
}

/**
 * bcrypt reads at most 72 bytes, so a 128-character password would be cut short (and two
 * passwords sharing 72 bytes would match). Hashing first with SHA-256 gives bcrypt 44 base64
 * characters carrying the whole password; NFC makes the same visible password hash the same
 * whichever keyboard typed it.
 */
function prehash(password: string): string {
  return createHash("sha256").update(password.normalize("NFC"), "utf8").digest("base64");
}

/** A standard `$2b$` bcrypt hash of the prehash (hashes made by bcryptjs verify alike). */
export function hashPassword(password: string, cost: number, kind: PasswordWork = "other"): Promise<string> {
  return bounded(kind, () => bcrypt.hash(prehash(password), cost));
}

export function verifyPassword(password: string, hash: string, kind: PasswordWork): Promise<boolean> {
  return bounded(kind, () => bcrypt.compare(prehash(password), hash));
}

import { createHash } from "node:crypto";
import bcrypt from "bcrypt";

/**
 * Native bcrypt runs on libuv's thread pool, never on the event loop (bcryptjs did, and 50
 * anonymous sign-ins stalled every other request for seconds). That pool (4 threads by default)
 * also does file reads, DNS and zlib, so at most this many hashes run at once and the rest
 * queue here: a burst of sign-ins delays other sign-ins, not uploads or the database's files.
 */
const MAX_CONCURRENT_HASHES = 2;

let running = 0;
const waiting: (() => void)[] = [];

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((start) => waiting.push(start));
  else running++;
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter, so `running` never over-counts.
    const next = waiting.shift();
    if (next) next();
    else running--;
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
export function hashPassword(password: string, cost: number): Promise<string> {
  return bounded(() => bcrypt.hash(prehash(password), cost));
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bounded(() => bcrypt.compare(prehash(password), hash));
}

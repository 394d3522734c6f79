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

/** Runs work with at most `slots` at once, of which at most `otherSlots` are not sign-ins; waiting sign-ins go first. */
export class PasswordQueue {
  private running = 0;
  private runningOther = 0;
  private readonly waiting: Record<PasswordWork, (() => void)[]> = { "sign-in": [], other: [] };

  constructor(
    private readonly slots: number,
    private readonly otherSlots: number,
  ) {}

  async run<T>(kind: PasswordWork, work: () => Promise<T>): Promise<T> {
    if (this.canStart(kind) && this.waiting[kind].length === 0) this.take(kind);
    else await new Promise<void>((start) => this.waiting[kind].push(start));
    try {
      return await work();
    } finally {
      this.running--;
      if (kind === "other") this.runningOther--;
      this.startNext();
    }
  }

  private canStart(kind: PasswordWork): boolean {
    return this.running < this.slots && (kind === "sign-in" || this.runningOther < this.otherSlots);
  }

  private take(kind: PasswordWork): void {
    this.running++;
    if (kind === "other") this.runningOther++;
  }

  private startNext(): void {
    for (const kind of ["sign-in", "other"] as const) {
      if (this.waiting[kind].length > 0 && this.canStart(kind)) {
        this.take(kind);
        this.waiting[kind].shift()!();
        return;
      }
    }
  }
}

const hashes = new PasswordQueue(MAX_CONCURRENT_HASHES, MAX_CONCURRENT_OTHER);

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
  return hashes.run(kind, () => bcrypt.hash(prehash(password), cost));
}

export function verifyPassword(password: string, hash: string, kind: PasswordWork): Promise<boolean> {
  return hashes.run(kind, () => bcrypt.compare(prehash(password), hash));
}

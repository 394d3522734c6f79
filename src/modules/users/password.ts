import { createHash } from "node:crypto";
import bcrypt from "bcryptjs";

export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../lib/password-limits";

/**
 * bcrypt reads at most 72 bytes, so a 128-character password would be cut short (and two
 * passwords sharing 72 bytes would match). Hashing first with SHA-256 gives bcrypt 44 base64
 * characters carrying the whole password; NFC makes the same visible password hash the same
 * whichever keyboard typed it.
 */
function prehash(password: string): string {
  return createHash("sha256").update(password.normalize("NFC"), "utf8").digest("base64");
}

export function hashPassword(password: string, cost: number): Promise<string> {
  return bcrypt.hash(prehash(password), cost);
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(prehash(password), hash);
}

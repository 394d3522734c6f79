import { Types } from "mongoose";

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * The one id parser: a 24-hex-digit string (or an ObjectId) as an ObjectId, else null. Callers
 * decide what a malformed id means (usually the same NOT_FOUND as a missing document).
 */
export function asObjectId(id: Types.ObjectId | string | null | undefined): Types.ObjectId | null {
  if (id instanceof Types.ObjectId) return id;
  return typeof id === "string" && OBJECT_ID.test(id) ? new Types.ObjectId(id) : null;
}

/** Whether `id` is what `asObjectId` accepts. */
export function isObjectId(id: unknown): id is string | Types.ObjectId {
  return id instanceof Types.ObjectId || (typeof id === "string" && OBJECT_ID.test(id));
}

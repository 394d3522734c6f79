import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { ChapterLockModel } from "./chapter-lock.model";

/** Long enough for any chapter rewrite; bounds how long a crashed holder blocks the course. */
const LEASE_MS = 15_000;
/** How long a request queues behind others before giving up with CONFLICT. */
const WAIT_MS = 10_000;
const RETRY_MS = { min: 2, max: 40 };
const DUPLICATE_KEY = 11000;

/**
 * Runs `work` while holding the course's chapter lock. The embedded engine (and a standalone
 * mongod) has no transactions, and renumbering n chapters is n writes, so two concurrent
 * reorders could interleave into duplicate or missing places. Instead every write that changes
 * places (add, delete, reorder) first takes this lease with one atomic upsert: it matches only
 * an expired lease, so while another holds it the insert of the same `_id` fails and this one
 * retries. A process that dies holding it blocks the course for seconds, not forever; the next
 * holder rewrites all places from scratch, which also repairs a half-finished renumber.
 * `stillThere` is asked between retries, so a course deleted meanwhile ends the wait NOT_FOUND.
 */
export async function withChapterLock<T>(courseId: Types.ObjectId, stillThere: () => Promise<boolean>, work: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + WAIT_MS;
  while (!(await take(courseId, token))) {
    if (!(await stillThere())) raise("NOT_FOUND", "Course not found");
    if (Date.now() > deadline) raise("CONFLICT", "The course's chapters are being changed by another request; try again");
    await sleep(RETRY_MS.min + Math.random() * (RETRY_MS.max - RETRY_MS.min));
  }
  try {
    return await work();
  } finally {
    await ChapterLockModel.deleteOne({ _id: courseId, token }).exec();
  }
}

async function take(courseId: Types.ObjectId, token: string): Promise<boolean> {
  const now = new Date();
  try {
    await ChapterLockModel.updateOne(
      { _id: courseId, until: { $lt: now } },
      { $set: { token, until: new Date(now.getTime() + LEASE_MS) } },
      { upsert: true },
    ).exec();
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

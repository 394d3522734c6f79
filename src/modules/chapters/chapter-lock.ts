import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { withLease } from "../../lib/lease";
import { ChapterLockModel } from "./chapter-lock.model";

/**
 * Runs `work` while holding the course's chapter lock. Renumbering n chapters is n writes, so two
 * concurrent reorders could interleave into duplicate or missing places: every write that changes
 * places (add, delete, reorder) takes this lease first. A process that dies holding it blocks the
 * course for seconds, not forever; the next holder rewrites all places from scratch, which also
 * repairs a half-finished renumber. `stillThere` is asked between tries, so a course deleted
 * meanwhile ends the wait NOT_FOUND.
 */
export function withChapterLock<T>(courseId: Types.ObjectId, stillThere: () => Promise<boolean>, work: () => Promise<T>): Promise<T> {
  return withLease(
    ChapterLockModel,
    courseId,
    {
      // Long enough for any chapter rewrite.
      leaseMs: 15_000,
      waitMs: 10_000,
      retryMs: { min: 2, max: 40 },
      busy: "The course's chapters are being changed by another request; try again",
      stillWanted: async () => {
        if (!(await stillThere())) raise("NOT_FOUND", "Course not found");
      },
    },
    work,
  );
}

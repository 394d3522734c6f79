import type { ChapterService } from "../chapters/chapter.service";
import { inMineOrder, type CourseService } from "../courses/course.service";
import type { LeaderboardService } from "../leaderboard/leaderboard.service";
import { summarize, type ProgressService } from "../progress/progress.service";
import type { AttemptService, ChapterMisses } from "../quizzes/attempt.service";
import type { Chapter } from "../chapters/chapter.model";
import type { Course } from "../courses/course.model";
import type { ReviewService } from "../study/review.service";
import type { ActivityService } from "./activity.service";
import type { ActivityItem, Dashboard, DashboardCourse, WeakSpot } from "./dashboard.types";
import type { Actor } from "../../lib/identity";
import type { Loaders } from "../../lib/loaders";
import { answerTogether } from "../../lib/raw-reads";
import { CoursePolicy } from "../courses/course.policy";
import { CourseOwnerFilter } from "../courses/course.rules";
import { summariesAsChapters } from "../chapters/chapter.loaders";

const MAX_COURSES = 100;
const RECENT_ACTIVITY = 10;
const WEAK_SPOTS = 5;

type Missed = ChapterMisses & { missRate: number };

/** The signed-in learner's dashboard, put together from progress, attempts, the leaderboard and the log. */
export class DashboardService {
  constructor(
    private readonly deps: {
      courses: CourseService;
      chapters: ChapterService;
      progress: ProgressService;
      attempts: AttemptService;
      leaderboard: LeaderboardService;
      activity: ActivityService;
      reviews: ReviewService;
    },
  ) {}

  /**
   * `loaders`: the request's, so what the course list reads is not read again. `courseFields`:
   * the stored fields of its courses the operation shows (all without it). Waits for the database
   * once (twice with weak spots): for all that depends on the learner alone and, in the same
   * command, what depends on that (their courses, by their enrollments; the chapters they missed);
   * then for those chapters' courses (whether the learner may still read them).
   */
  async forUser(actor: Exclude<Actor, null>, loaders: Loaders, courseFields?: readonly string[], now = new Date()): Promise<Dashboard> {
    const enrolled = this.deps.progress.enrolledRead(actor._id, loaders);
    const fields = courseFields && [...courseFields, "chapter_summaries"];
    const [learner, place] = await Promise.all([
      answerTogether({
        enrolled,
        totals: this.deps.attempts.totalsRead(actor._id),
        streaks: this.deps.activity.streaksRead(actor._id, now),
        recent: this.deps.activity.recentRead(actor._id, RECENT_ACTIVITY),
        misses: this.deps.attempts.missesByChapterRead(actor._id),
        // Among what the reads above return, in the same command.
        ...this.deps.courses.mineReads(actor, { owner: CourseOwnerFilter.MINE }, MAX_COURSES, `enrolled.${enrolled.courseIdField}`, fields),
        missed: this.deps.chapters.readableAmongRead(actor, "misses.chapterId", ["title"]),
      }),
      // The learner's own place only: another learner's attempt drops this answer only if it moves that place.
      this.deps.leaderboard.place(actor._id),
    ]);
    const { totals, streaks, recent } = learner;
    const misses = worstFirst(learner.misses);
    const courses = await this.courses(actor, loaders, inMineOrder(learner).slice(0, MAX_COURSES));
    return {
      courses,
      chaptersCompleted: courses.reduce((sum, course) => sum + course.completedChapters, 0),
      quizzesTaken: totals.quizzesTaken,
      attempts: totals.attempts,
      averageScore: totals.averagePercent,
      totalPoints: place?.points ?? 0,
      rank: place?.rank ?? null,
      currentStreak: streaks.current,
      longestStreak: streaks.longest,
      recentActivity: recent.map(
        (activity): ActivityItem => ({
          kind: activity.kind,
          title: activity.title,
          at: activity.at,
          courseId: activity.course_id ?? null,
          chapterId: activity.chapter_id ?? null,
          quizId: activity.quiz_id ?? null,
          percent: activity.percent ?? null,
        }),
      ),
      weakSpots: weakSpots(misses, learner.missed),
    };
  }

  /** The learner's courses with their progress (read with the enrollments, into `loaders`). */
  private async courses(actor: Exclude<Actor, null>, loaders: Loaders, items: Course[]): Promise<DashboardCourse[]> {
    const ids = items.map((course) => course._id);
    // The chapters each course carries; only a course stored before it carried them is read in its chapters.
    const unsummarized = items.filter((course) => !course.chapter_summaries).map((course) => course._id);
    const [progress, read] = await Promise.all([
      this.deps.progress.forUser(actor._id, ids, loaders),
      unsummarized.length > 0 ? this.deps.chapters.byCourses(unsummarized, []) : [],
    ]);
    const readByCourse = new Map(unsummarized.map((id, i) => [String(id), read[i]]));
    const chapters = items.map((course) => (course.chapter_summaries ? summariesAsChapters({ _id: course._id, chapter_summaries: course.chapter_summaries }) : readByCourse.get(String(course._id))!));
    return items.map((course, i) => {
      const summary = progress[i] && summarize(progress[i], chapters[i]);
      return {
        course,
        owned: CoursePolicy.isOwner(actor, course),
        enrolled: summary !== null,
        progressPercent: summary?.percent ?? null,
        completedChapters: summary?.completedChapters ?? 0,
        totalChapters: chapters[i].length,
      };
    });
  }

  /**
   * Study cards due by the end of today. Only users who ever had a schedule are asked (the flag
   * rides on the signed-in user, already read for the request), so for everyone else this costs
   * no database call.
   */
  async dueToday(actor: Exclude<Actor, null>, now = new Date()): Promise<number> {
    return actor.studying_since ? this.deps.reviews.dueToday(actor._id, now) : 0;
  }
}

/** Chapters missed at all, by share of wrong answers, then by how many. */
function worstFirst(misses: ChapterMisses[]): Missed[] {
  return misses
    .filter((row) => row.missed > 0)
    .map((row) => ({ ...row, missRate: row.missed / row.answered }))
    .sort((a, b) => b.missRate - a.missRate || b.missed - a.missed);
}

/** The worst missed chapters still readable; chapters never missed are not weak. */
function weakSpots(misses: Missed[], readable: Chapter[]): WeakSpot[] {
  const chapters = new Map(readable.map((chapter) => [String(chapter._id), chapter]));
  const spots: WeakSpot[] = [];
  for (const row of misses) {
    const chapter = chapters.get(String(row.chapterId));
    if (chapter) spots.push({ ...row, title: chapter.title, courseId: chapter.course_id, missRate: Math.round(row.missRate * 1000) / 1000 });
    if (spots.length === WEAK_SPOTS) break;
  }
  return spots;
}

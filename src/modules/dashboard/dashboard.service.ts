import type { ChapterService } from "../chapters/chapter.service";
import type { CourseService } from "../courses/course.service";
import type { LeaderboardService } from "../leaderboard/leaderboard.service";
import { summarize, type ProgressService } from "../progress/progress.service";
import type { AttemptService } from "../quizzes/attempt.service";
import type { ReviewService } from "../study/review.service";
import type { ActivityService } from "./activity.service";
import type { ActivityItem, Dashboard, DashboardCourse, WeakSpot } from "./dashboard.types";
import type { Actor } from "../../lib/identity";
import type { Loaders } from "../../lib/loaders";
import { CoursePolicy } from "../courses/course.policy";
import { CourseOwnerFilter } from "../courses/course.rules";
import { summariesAsChapters } from "../chapters/chapter.loaders";

const MAX_COURSES = 100;
const RECENT_ACTIVITY = 10;
const WEAK_SPOTS = 5;

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
   * the stored fields of its courses the operation shows (all without it).
   */
  async forUser(actor: Exclude<Actor, null>, loaders: Loaders, courseFields?: readonly string[], now = new Date()): Promise<Dashboard> {
    const [courses, totals, place, streaks, recent, weakSpots] = await Promise.all([
      this.courses(actor, loaders, courseFields),
      this.deps.attempts.totalsOf(actor._id),
      // The learner's own place only: another learner's attempt drops this answer only if it moves that place.
      this.deps.leaderboard.place(actor._id),
      this.deps.activity.streaks(actor._id, now),
      this.deps.activity.recent(actor._id, RECENT_ACTIVITY),
      this.weakSpots(actor),
    ]);
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
      weakSpots,
    };
  }

  private async courses(actor: Exclude<Actor, null>, loaders: Loaders, fields?: readonly string[]): Promise<DashboardCourse[]> {
    const page = { skip: 0, limit: MAX_COURSES };
    const reads = { counting: { total: false, hasMore: false }, loaders, fields: fields && [...fields, "chapter_summaries"] };
    const { items } = await this.deps.courses.list(actor, { owner: CourseOwnerFilter.MINE }, page, reads);
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

  /** Chapters still readable, by share of wrong answers, then by how many; chapters never missed are not weak. */
  private async weakSpots(actor: Exclude<Actor, null>): Promise<WeakSpot[]> {
    const misses = (await this.deps.attempts.missesByChapter(actor._id))
      .filter((row) => row.missed > 0)
      .map((row) => ({ ...row, missRate: row.missed / row.answered }))
      .sort((a, b) => b.missRate - a.missRate || b.missed - a.missed);
    const readable = await this.deps.chapters.readableAmong(actor, misses.map((row) => row.chapterId), ["title"]);
    const chapters = new Map(readable.map((chapter) => [String(chapter._id), chapter]));
    const spots: WeakSpot[] = [];
    for (const row of misses) {
      const chapter = chapters.get(String(row.chapterId));
      if (chapter) spots.push({ ...row, title: chapter.title, courseId: chapter.course_id, missRate: Math.round(row.missRate * 1000) / 1000 });
      if (spots.length === WEAK_SPOTS) break;
    }
    return spots;
  }
}

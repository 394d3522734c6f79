import { createSecretKey } from "node:crypto";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import DataLoader from "dataloader";
import { DateTimeResolver } from "graphql-scalars";
import jwt from "jsonwebtoken";
import { MongoClient, ObjectId, type Db, type Document } from "mongodb";

/**
 * The floor of this stack for the "graphql read path" bench: Apollo Server 5, graphql-js SDL
 * resolvers, the mongodb driver with projections, and DataLoader, with nothing else (no
 * Express, no middleware, no session read: the token's claims are trusted, as the API trusts its
 * cached session). It serves the bench's nested course list from the same database as the API,
 * twice: as the API did before issue 30 (owners and chapters through loaders: 4 round trips) and
 * from what each course carries (`chapter_summaries`, `owner_name`: 2 round trips); and the
 * learner's dashboard with the same 8 round trips as the API, the all-time ranking kept in
 * memory for 30 s as the API keeps it.
 * Arguments: MongoDB URI, database name, JWT secret. Prints `{"loaders": url, "summaries": url, "dashboard": url}`.
 */
const typeDefs = `#graphql
  enum CourseLevel { BEGINNER INTERMEDIATE ADVANCED }
  enum CourseOwnerFilter { ALL MINE PUBLIC }
  input CourseFilter { owner: CourseOwnerFilter }
  type UserSummary { id: ID! name: String! }
  type Chapter { id: ID! title: String! order: Int! durationMinutes: Int! }
  type CourseProgress { percent: Int! completedChapters: Int! }
  type Course {
    id: ID! title: String! description: String! level: CourseLevel! tags: [String!]!
    owner: UserSummary chapterCount: Int! chapters: [Chapter!]! myProgress: CourseProgress
  }
  type CoursePage { total: Int! hasMore: Boolean! items: [Course!]! }
  type Query { courses(filter: CourseFilter, limit: Int = 20): CoursePage! }
`;

interface Viewer {
  id: ObjectId;
  admin: boolean;
}

interface Context {
  viewer: Viewer | null;
  progress?: Map<string, Document>;
  users: DataLoader<string, Document | null>;
  chapters: DataLoader<string, Document[]>;
}

const LEVEL_NAMES: Record<string, string> = {
  beginner: "BEGINNER",
  intermediate: "INTERMEDIATE",
  advanced: "ADVANCED",
};

function resolversFor(db: Db, summaries: boolean) {
  const courseFields = summaries
    ? {
        title: 1,
        description: 1,
        level: 1,
        tags: 1,
        owner_id: 1,
        created_at: 1,
        chapter_summaries: 1,
        chapter_count: 1,
        owner_name: 1,
      }
    : {
        title: 1,
        description: 1,
        level: 1,
        tags: 1,
        owner_id: 1,
        created_at: 1,
      };
  const chaptersOf = async (course: Document, ctx: Context): Promise<Document[]> =>
    summaries ? course.chapter_summaries : ctx.chapters.load(String(course._id));
  return {
    Query: {
      async courses(_: unknown, args: { filter?: { owner?: string }; limit: number }, ctx: Context) {
        const viewer = ctx.viewer;
        if (!viewer || args.filter?.owner !== "MINE") throw new Error("the floor serves MINE lists of a signed-in viewer only");
        const progress = await db
          .collection("progress")
          .find({ user_id: viewer.id }, { projection: { course_id: 1, completed_chapter_ids: 1 } })
          .toArray();
        ctx.progress = new Map(progress.map((row) => [String(row.course_id), row]));
        const readable = viewer.admin ? {} : { $or: [{ is_public: true }, { owner_id: viewer.id }] };
        const filter = {
          $and: [
            readable,
            {
              $or: [{ owner_id: viewer.id }, { _id: { $in: progress.map((row) => row.course_id) } }],
            },
          ],
        };
        const read = await db
          .collection("courses")
          .find(filter, {
            projection: courseFields,
            sort: { created_at: -1, _id: -1 },
            limit: args.limit + 1,
          })
          .toArray();
        const items = read.slice(0, args.limit);
        const hasMore = read.length > args.limit;
        const total = hasMore ? await db.collection("courses").countDocuments(filter) : read.length;
        return { total, hasMore, items };
      },
    },
    Course: {
      id: (course: Document) => course._id.toHexString(),
      level: (course: Document) => LEVEL_NAMES[course.level],
      owner: async (course: Document, _: unknown, ctx: Context) => {
        if (summaries) return course.owner_name == null ? null : { _id: course.owner_id, name: course.owner_name };
        return ctx.users.load(String(course.owner_id));
      },
      chapterCount: async (course: Document, _: unknown, ctx: Context) => (summaries ? course.chapter_count : (await chaptersOf(course, ctx)).length),
      chapters: (course: Document, _: unknown, ctx: Context) => chaptersOf(course, ctx),
      myProgress: async (course: Document, _: unknown, ctx: Context) => {
        const progress = ctx.progress?.get(String(course._id));
        if (!progress) return null;
        const chapters = await chaptersOf(course, ctx);
        const completed = new Set(progress.completed_chapter_ids.map(String));
        const done = chapters.filter((chapter) => completed.has(String(chapter._id))).length;
        return {
          percent: chapters.length === 0 ? 0 : Math.floor((done * 100) / chapters.length),
          completedChapters: done,
        };
      },
    },
    UserSummary: { id: (user: Document) => user._id.toHexString() },
    Chapter: {
      id: (chapter: Document) => chapter._id.toHexString(),
      durationMinutes: (chapter: Document) => chapter.duration_minutes,
    },
  };
}

function loaders(db: Db) {
  return {
    users: new DataLoader<string, Document | null>(async (ids) => {
      const found = await db
        .collection("users")
        .find({ _id: { $in: ids.map((id) => new ObjectId(id)) } }, { projection: { name: 1 } })
        .toArray();
      const byId = new Map(found.map((user) => [String(user._id), user]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    chapters: new DataLoader<string, Document[]>(async (ids) => {
      const found = await db
        .collection("chapters")
        .find(
          { course_id: { $in: ids.map((id) => new ObjectId(id)) } },
          {
            projection: {
              course_id: 1,
              order: 1,
              title: 1,
              duration_minutes: 1,
            },
            sort: { course_id: 1, order: 1 },
          },
        )
        .toArray();
      return ids.map((id) => found.filter((chapter) => String(chapter.course_id) === id));
    }),
  };
}

const dashboardTypeDefs = `#graphql
  scalar DateTime
  enum ActivityKind { CHAPTER_COMPLETED QUIZ_ATTEMPTED }
  type CourseRef { id: ID! title: String! }
  type DashboardCourse { course: CourseRef! owned: Boolean! enrolled: Boolean! progressPercent: Int completedChapters: Int! totalChapters: Int! }
  type ActivityItem { kind: ActivityKind! title: String! at: DateTime! courseId: ID chapterId: ID quizId: ID percent: Float }
  type WeakSpot { chapterId: ID! title: String! courseId: ID! answered: Int! missed: Int! missRate: Float! }
  type Dashboard {
    courses: [DashboardCourse!]! chaptersCompleted: Int! quizzesTaken: Int! attempts: Int! averageScore: Float!
    totalPoints: Int! rank: Int currentStreak: Int! longestStreak: Int! recentActivity: [ActivityItem!]! weakSpots: [WeakSpot!]!
  }
  type Query { dashboard: Dashboard! }
`;

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS);
const hex = (id: ObjectId | null | undefined) => (id ? id.toHexString() : null);
const round1 = (value: number) => Math.round(value * 10) / 10;

function streaksOf(days: string[], today: string): { current: number; longest: number } {
  const numbers = [...new Set(days.map(dayNumber))].sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  for (let i = 0; i < numbers.length; i++) {
    run = i > 0 && numbers[i] === numbers[i - 1] + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
  }
  const last = numbers[numbers.length - 1];
  return { current: last !== undefined && dayNumber(today) - last <= 1 ? run : 0, longest };
}

/** The all-time ranking (points, then id), competition ranks, by user id; recomputed every 30 s. */
function rankingOf(db: Db): () => Promise<Map<string, { rank: number; points: number }>> {
  let kept: { until: number; places: Promise<Map<string, { rank: number; points: number }>> } | undefined;
  const compute = async () => {
    const rows = await db
      .collection("leaderboard_scores")
      .aggregate([{ $match: { day: null } }, { $group: { _id: "$user_id", points: { $sum: "$points" } } }, { $sort: { points: -1, _id: 1 } }])
      .toArray();
    const places = new Map<string, { rank: number; points: number }>();
    let rank = 0;
    rows.forEach((row, i) => {
      if (i === 0 || row.points !== rows[i - 1].points) rank = i + 1;
      places.set(String(row._id), { rank, points: row.points });
    });
    return places;
  };
  return () => {
    if (!kept || kept.until < Date.now()) kept = { until: Date.now() + 30_000, places: compute() };
    return kept.places;
  };
}

function dashboardResolvers(db: Db) {
  const ranking = rankingOf(db);
  const readableOf = (viewer: Viewer) => (viewer.admin ? {} : { $or: [{ is_public: true }, { owner_id: viewer.id }, { "grants.principal": { $in: [viewer.id] } }] });
  const courses = async (viewer: Viewer) => {
    const progress = await db.collection("progress").find({ user_id: viewer.id }).toArray();
    const filter = { $and: [readableOf(viewer), { $or: [{ owner_id: viewer.id }, { _id: { $in: progress.map((row) => row.course_id) } }] }] };
    const items = await db
      .collection("courses")
      .find(filter, { projection: { title: 1, owner_id: 1, created_at: 1, chapter_summaries: 1 }, sort: { created_at: -1, _id: -1 }, limit: 100 })
      .toArray();
    const byCourse = new Map(progress.map((row) => [String(row.course_id), row]));
    return items.map((course) => {
      const row = byCourse.get(String(course._id));
      const chapters: Document[] = course.chapter_summaries;
      const completed = row ? new Set(row.completed_chapter_ids.map(String)) : undefined;
      const done = completed ? chapters.filter((chapter) => completed.has(String(chapter._id))).length : 0;
      return {
        course: { id: course._id.toHexString(), title: course.title },
        owned: course.owner_id.equals(viewer.id),
        enrolled: row !== undefined,
        progressPercent: row ? (chapters.length === 0 ? 0 : Math.floor((done * 100) / chapters.length)) : null,
        completedChapters: done,
        totalChapters: chapters.length,
      };
    });
  };
  const totals = async (viewer: Viewer) => {
    const [row] = await db
      .collection("quiz_history")
      .aggregate([{ $match: { user_id: viewer.id } }, { $group: { _id: null, attempts: { $sum: 1 }, quizzes: { $addToSet: "$quiz_id" }, averagePercent: { $avg: "$percent" } } }])
      .toArray();
    return { attempts: row?.attempts ?? 0, quizzesTaken: row?.quizzes.length ?? 0, averagePercent: round1(row?.averagePercent ?? 0) };
  };
  const weakSpots = async (viewer: Viewer) => {
    const misses = (
      await db
        .collection("quiz_history")
        .aggregate<{ chapterId: ObjectId; answered: number; missed: number }>([
          { $match: { user_id: viewer.id } },
          { $project: { answers: 1 } },
          { $unwind: "$answers" },
          { $match: { "answers.chapter_id": { $exists: true } } },
          { $group: { _id: "$answers.chapter_id", answered: { $sum: 1 }, missed: { $sum: { $cond: ["$answers.correct", 0, 1] } } } },
          { $project: { _id: 0, chapterId: "$_id", answered: 1, missed: 1 } },
        ])
        .toArray()
    )
      .filter((row) => row.missed > 0)
      .map((row) => ({ ...row, missRate: row.missed / row.answered }))
      .sort((a, b) => b.missRate - a.missRate || b.missed - a.missed);
    if (misses.length === 0) return [];
    const chapters = await db
      .collection("chapters")
      .find({ _id: { $in: misses.map((row) => row.chapterId) } }, { projection: { course_id: 1, title: 1 } })
      .toArray();
    const readable = await db
      .collection("courses")
      .find({ $and: [{ _id: { $in: chapters.map((chapter) => chapter.course_id) } }, readableOf(viewer)] }, { projection: { _id: 1 } })
      .toArray();
    const readableIds = new Set(readable.map((course) => String(course._id)));
    const byId = new Map(chapters.filter((chapter) => readableIds.has(String(chapter.course_id))).map((chapter) => [String(chapter._id), chapter]));
    const spots = [];
    for (const row of misses) {
      const chapter = byId.get(String(row.chapterId));
      if (chapter) spots.push({ chapterId: hex(row.chapterId), title: chapter.title, courseId: hex(chapter.course_id), answered: row.answered, missed: row.missed, missRate: Math.round(row.missRate * 1000) / 1000 });
      if (spots.length === 5) break;
    }
    return spots;
  };
  return {
    DateTime: DateTimeResolver,
    Query: {
      async dashboard(_: unknown, __: unknown, ctx: Context) {
        const viewer = ctx.viewer;
        if (!viewer) throw new Error("the floor serves a signed-in viewer's dashboard only");
        const activity = db.collection("learning_activity");
        const [list, total, places, days, recent, spots] = await Promise.all([
          courses(viewer),
          totals(viewer),
          ranking(),
          activity.distinct("day", { user_id: viewer.id }),
          activity
            .find({ user_id: viewer.id }, { projection: { kind: 1, title: 1, at: 1, course_id: 1, chapter_id: 1, quiz_id: 1, percent: 1 }, sort: { at: -1, _id: -1 }, limit: 10 })
            .toArray(),
          weakSpots(viewer),
        ]);
        const place = places.get(String(viewer.id));
        const streaks = streaksOf(days, new Date().toISOString().slice(0, 10));
        return {
          courses: list,
          chaptersCompleted: list.reduce((sum, course) => sum + course.completedChapters, 0),
          quizzesTaken: total.quizzesTaken,
          attempts: total.attempts,
          averageScore: total.averagePercent,
          totalPoints: place?.points ?? 0,
          rank: place?.rank ?? null,
          currentStreak: streaks.current,
          longestStreak: streaks.longest,
          recentActivity: recent.map((item) => ({
            kind: item.kind,
            title: item.title,
            at: item.at,
            courseId: hex(item.course_id),
            chapterId: hex(item.chapter_id),
            quizId: hex(item.quiz_id),
            percent: item.percent ?? null,
          })),
          weakSpots: spots,
        };
      },
    },
  };
}

async function main(): Promise<void> {
  const [uri, databaseName, secret] = process.argv.slice(2);
  const client = await MongoClient.connect(uri, { maxPoolSize: 16 });
  const db = client.db(databaseName);
  // A key object made once: given the secret as a string, jsonwebtoken makes one on every call.
  const key = createSecretKey(Buffer.from(secret, "utf8"));
  const viewerOf = (authorization: string | undefined): Viewer | null => {
    const token = authorization?.replace(/^Bearer /, "");
    if (!token) return null;
    const claims = jwt.verify(token, key, {
      algorithms: ["HS256", "HS384", "HS512"],
    }) as { sub: string; role: string };
    return { id: new ObjectId(claims.sub), admin: claims.role === "admin" };
  };
  const urls: Record<string, string> = {};
  for (const [name, summaries] of [
    ["loaders", false],
    ["summaries", true],
  ] as const) {
    // No field sets cache hints: Apollo would work them out on every field (the API turns this off too).
    const server = new ApolloServer<Context>({
      typeDefs,
      resolvers: resolversFor(db, summaries),
      plugins: [ApolloServerPluginCacheControlDisabled()],
    });
    const { url } = await startStandaloneServer(server, {
      listen: { port: 0, host: "127.0.0.1" },
      context: async ({ req }) => ({
        viewer: viewerOf(req.headers.authorization),
        ...loaders(db),
      }),
    });
    urls[name] = url;
  }
  const dashboard = new ApolloServer<Context>({ typeDefs: dashboardTypeDefs, resolvers: dashboardResolvers(db), plugins: [ApolloServerPluginCacheControlDisabled()] });
  urls.dashboard = (
    await startStandaloneServer(dashboard, { listen: { port: 0, host: "127.0.0.1" }, context: async ({ req }) => ({ viewer: viewerOf(req.headers.authorization), ...loaders(db) }) })
  ).url;
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  process.once("SIGTERM", () => void client.close().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { startStandaloneServer } from "@apollo/server/standalone";
import DataLoader from "dataloader";
import jwt from "jsonwebtoken";
import { MongoClient, ObjectId, type Db, type Document } from "mongodb";

/**
 * The floor of this stack for the "graphql read path" bench: Apollo Server 5, graphql-js SDL
 * resolvers, the mongodb driver with projections, and DataLoader, with nothing else (no
 * Express, no middleware, no session read: the token's claims are trusted, as the API trusts its
 * cached session). It serves the bench's nested course list from the same database as the API,
 * twice: as the API did before issue 30 (owners and chapters through loaders: 4 round trips) and
 * from what each course carries (`chapter_summaries`, `owner_name`: 2 round trips).
 * Arguments: MongoDB URI, database name, JWT secret. Prints `{"loaders": url, "summaries": url}`.
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

async function main(): Promise<void> {
  const [uri, databaseName, secret] = process.argv.slice(2);
  const client = await MongoClient.connect(uri, { maxPoolSize: 16 });
  const db = client.db(databaseName);
  const viewerOf = (authorization: string | undefined): Viewer | null => {
    const token = authorization?.replace(/^Bearer /, "");
    if (!token) return null;
    const claims = jwt.verify(token, secret, {
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
  process.stdout.write(`${JSON.stringify(urls)}\n`);
  process.once("SIGTERM", () => void client.close().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

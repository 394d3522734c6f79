import "reflect-metadata";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { getModelForClass, modelOptions, prop, type DocumentType } from "@typegoose/typegoose";
import DataLoader from "dataloader";
import jwt from "jsonwebtoken";
import mongoose, { Types } from "mongoose";
import { Arg, buildSchema, Ctx, Field, FieldResolver, ID, InputType, Int, ObjectType, Query, registerEnumType, Resolver, Root } from "type-graphql";

/**
 * The by-the-book build for the "graphql read path" bench: the same libraries as the API
 * (type-graphql, typegoose, DataLoader, Apollo Server 5), written as their documentation shows:
 * one class per entity serving as both typegoose model and GraphQL type, resolvers returning
 * mongoose documents, DataLoaders made per request in the context. It serves the bench's nested
 * course list from the same database as the API. Arguments: MongoDB URI, database name, JWT
 * secret. Prints `{"url": url}`.
 */
enum CourseLevel {
  BEGINNER = "beginner",
  INTERMEDIATE = "intermediate",
  ADVANCED = "advanced",
}
registerEnumType(CourseLevel, { name: "CourseLevel" });

enum CourseOwnerFilter {
  ALL = "ALL",
  MINE = "MINE",
  PUBLIC = "PUBLIC",
}
registerEnumType(CourseOwnerFilter, { name: "CourseOwnerFilter" });

@ObjectType("UserSummary")
@modelOptions({ schemaOptions: { collection: "users" } })
class User {
  @Field(() => ID)
  id!: string;

  @Field()
  @prop()
  name!: string;
}

@ObjectType()
@modelOptions({ schemaOptions: { collection: "chapters" } })
class Chapter {
  @Field(() => ID)
  id!: string;

  @prop()
  course_id!: Types.ObjectId;

  @Field()
  @prop()
  title!: string;

  @Field(() => Int)
  @prop()
  order!: number;

  @Field(() => Int, { name: "durationMinutes" })
  @prop()
  duration_minutes!: number;
}

@ObjectType()
@modelOptions({ schemaOptions: { collection: "progress" } })
class Progress {
  @prop()
  user_id!: Types.ObjectId;

  @prop()
  course_id!: Types.ObjectId;

  @prop({ type: () => [Types.ObjectId] })
  completed_chapter_ids!: Types.ObjectId[];
}

@ObjectType()
@modelOptions({ schemaOptions: { collection: "courses" } })
class Course {
  @Field(() => ID)
  id!: string;

  @Field()
  @prop()
  title!: string;

  @Field()
  @prop()
  description!: string;

  @Field(() => CourseLevel)
  @prop({ enum: CourseLevel, type: String })
  level!: CourseLevel;

  @Field(() => [String])
  @prop({ type: () => [String] })
  tags!: string[];

  @prop()
  owner_id!: Types.ObjectId;

  @prop()
  is_public!: boolean;

  @prop()
  created_at!: Date;
}

@ObjectType()
class CourseProgress {
  @Field(() => Int)
  percent!: number;

  @Field(() => Int)
  completedChapters!: number;
}

@ObjectType()
class CoursePage {
  @Field(() => Int)
  total!: number;

  @Field()
  hasMore!: boolean;

  @Field(() => [Course])
  items!: Course[];
}

@InputType()
class CourseFilter {
  @Field(() => CourseOwnerFilter, { nullable: true })
  owner?: CourseOwnerFilter;
}

const UserModel = getModelForClass(User);
const ChapterModel = getModelForClass(Chapter);
const ProgressModel = getModelForClass(Progress);
const CourseModel = getModelForClass(Course);

interface Context {
  user: { id: Types.ObjectId; admin: boolean } | null;
  users: DataLoader<string, DocumentType<User> | null>;
  chapters: DataLoader<string, DocumentType<Chapter>[]>;
  progress: DataLoader<string, DocumentType<Progress> | null>;
}

@Resolver(() => Course)
class CourseResolver {
  @Query(() => CoursePage)
  async courses(
    @Arg("filter", () => CourseFilter, { nullable: true })
    filter: CourseFilter | undefined,
    @Arg("limit", () => Int, { defaultValue: 20 }) limit: number,
    @Ctx() ctx: Context,
  ): Promise<CoursePage> {
    if (!ctx.user || filter?.owner !== CourseOwnerFilter.MINE) throw new Error("this build serves MINE lists of a signed-in viewer only");
    const user = ctx.user;
    const enrolled = await ProgressModel.find({ user_id: user.id });
    for (const row of enrolled) ctx.progress.prime(String(row.course_id), row);
    const readable = user.admin ? {} : { $or: [{ is_public: true }, { owner_id: user.id }] };
    const query = {
      $and: [
        readable,
        {
          $or: [{ owner_id: user.id }, { _id: { $in: enrolled.map((row) => row.course_id) } }],
        },
      ],
    };
    const [items, total] = await Promise.all([
      CourseModel.find(query).sort({ created_at: -1, _id: -1 }).limit(limit),
      CourseModel.countDocuments(query),
    ]);
    return { total, hasMore: total > items.length, items };
  }

  @FieldResolver(() => User, { nullable: true })
  owner(@Root() course: DocumentType<Course>, @Ctx() ctx: Context) {
    return ctx.users.load(String(course.owner_id));
  }

  @FieldResolver(() => Int)
  async chapterCount(@Root() course: DocumentType<Course>, @Ctx() ctx: Context) {
    return (await ctx.chapters.load(course.id)).length;
  }

  @FieldResolver(() => [Chapter])
  chapters(@Root() course: DocumentType<Course>, @Ctx() ctx: Context) {
    return ctx.chapters.load(course.id);
  }

  @FieldResolver(() => CourseProgress, { nullable: true })
  async myProgress(@Root() course: DocumentType<Course>, @Ctx() ctx: Context): Promise<CourseProgress | null> {
    const progress = await ctx.progress.load(course.id);
    if (!progress) return null;
    const chapters = await ctx.chapters.load(course.id);
    const completed = new Set(progress.completed_chapter_ids.map(String));
    const done = chapters.filter((chapter) => completed.has(chapter.id)).length;
    return {
      percent: chapters.length === 0 ? 0 : Math.floor((done * 100) / chapters.length),
      completedChapters: done,
    };
  }
}

function loaders(userId: Types.ObjectId | undefined): Omit<Context, "user"> {
  return {
    users: new DataLoader(async (ids) => {
      const users = await UserModel.find({ _id: { $in: ids } });
      return ids.map((id) => users.find((user) => user.id === id) ?? null);
    }),
    chapters: new DataLoader(async (ids) => {
      const chapters = await ChapterModel.find({
        course_id: { $in: ids },
      }).sort({ order: 1 });
      return ids.map((id) => chapters.filter((chapter) => String(chapter.course_id) === id));
    }),
    progress: new DataLoader(async (ids) => {
      const rows = await ProgressModel.find({
        user_id: userId,
        course_id: { $in: ids },
      });
      return ids.map((id) => rows.find((row) => String(row.course_id) === id) ?? null);
    }),
  };
}

async function main(): Promise<void> {
  const [uri, databaseName, secret] = process.argv.slice(2);
  await mongoose.connect(uri, { dbName: databaseName, maxPoolSize: 16 });
  const schema = await buildSchema({
    resolvers: [CourseResolver],
    validate: false,
  });
  const server = new ApolloServer<Context>({ schema });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: "127.0.0.1" },
    context: async ({ req }) => {
      const token = req.headers.authorization?.replace(/^Bearer /, "");
      const claims = token ? (jwt.verify(token, secret) as { sub: string; role: string }) : undefined;
      const user = claims ? { id: new Types.ObjectId(claims.sub), admin: claims.role === "admin" } : null;
      return { user, ...loaders(user?.id) };
    },
  });
  process.stdout.write(`${JSON.stringify({ url })}\n`);
  process.once("SIGTERM", () => void mongoose.disconnect().finally(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

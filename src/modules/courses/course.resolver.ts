import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { pageCounting, type Page } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { projectionOf, selectedFields } from "../../lib/selection";
import { chaptersOf, chapterStatsOf } from "../chapters/chapter.loaders";
import { mapMaybe, type MaybePromise } from "../../lib/maybe-promise";
import { Chapter } from "../chapters/chapter.model";
import { CourseIdArgs, CoursesArgs, CreateCourseInput, PublishCourseArgs, UpdateCourseInput } from "./course.inputs";
import { UserSummary, userSummary } from "../users/user-summary";
import { Course } from "./course.model";
import { CoursePage } from "./course.types";
import type { Context } from "../../lib/context";
import { actorOf, signedInActor } from "../../lib/identity";

/** The stored fields behind each GraphQL field of `Course`; fields resolved from other collections need only its id. */
const COURSE_FIELDS: Record<string, readonly string[]> = {
  id: ["_id"],
  title: ["title"],
  description: ["description"],
  outline: ["outline"],
  level: ["level"],
  tags: ["tags"],
  source: ["source"],
  isPublic: ["is_public"],
  createdAt: ["created_at"],
  updatedAt: ["updated_at"],
  owner: ["owner_id", "owner_name"],
  chapters: ["chapter_summaries"],
  chapterCount: ["chapter_count", "total_minutes"],
  totalDurationMinutes: ["chapter_count", "total_minutes"],
  myProgress: ["chapter_summaries"],
  enrollmentCount: [],
};

/** The stored fields of a course the operation's `Course` selections need (wherever they are), its summaries always. */
export function courseFieldsOf(info: GraphQLResolveInfo): string[] | undefined {
  return projectionOf(selectedFields(info, "Course"), COURSE_FIELDS, ["chapter_summaries"]) ?? undefined;
}

@Resolver(() => Course)
export class CourseResolver {
  @Query(() => CoursePage, {
    description: "Courses, newest first. Without a sign-in only the public catalog is listed; MINE needs a sign-in.",
  })
  async courses(@Args() { filter, skip, limit }: CoursesArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Page<Course>> {
    const course = selectedFields(info, "Course");
    const fields = projectionOf(course, COURSE_FIELDS, []) ?? undefined;
    const counting = pageCounting(selectedFields(info, "CoursePage"));
    const loaders = course.has("myProgress") ? ctx.loaders : undefined;
    return ctx.services.courses.list(await actorOf(ctx), filter ?? {}, { skip, limit }, { fields, counting, loaders });
  }

  @Query(() => Course, { nullable: true, description: "One course, or null when there is none you may see with this id." })
  async course(@Args() { id }: CourseIdArgs, @Ctx() ctx: Context): Promise<Course | null> {
    return ctx.services.courses.readable(await actorOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Course, { description: "Creates a private course that you own, with no chapters yet." })
  async createCourse(
    @Arg("input", () => CreateCourseInput, { description: "The new course." }) input: CreateCourseInput,
    @Ctx() ctx: Context,
  ): Promise<Course> {
    return ctx.services.courses.create(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Course, { description: "Changes a course's own fields; its owner or an admin only." })
  async updateCourse(
    @Arg("id", () => IdScalar, { description: "The course's id." }) id: string,
    @Arg("input", () => UpdateCourseInput, { description: "The fields to change." }) input: UpdateCourseInput,
    @Ctx() ctx: Context,
  ): Promise<Course> {
    return ctx.services.courses.update(await actorOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: "Deletes a course with its chapters, everyone's progress, its quizzes with their attempts and points, and the chat sessions over it; its owner or an admin only.",
  })
  async deleteCourse(@Args() { id }: CourseIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.courses.delete(await actorOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Course, {
    description: "Adds a course to the public catalog or takes it out; owner or admin, and only instructors and admins may publish.",
  })
  async publishCourse(@Args() { id, isPublic }: PublishCourseArgs, @Ctx() ctx: Context): Promise<Course> {
    return ctx.services.courses.publish(await actorOf(ctx), id, isPublic);
  }

  @FieldResolver(() => UserSummary, { nullable: true, description: "Who owns the course; null if the account no longer exists." })
  owner(@Root() course: Course, @Ctx() ctx: Context): MaybePromise<UserSummary | null> {
    // The name the course carries (null: the account is gone), else the users loader.
    if (course.owner_name !== undefined) return course.owner_name === null ? null : { _id: course.owner_id, name: course.owner_name };
    return userSummary(ctx, course.owner_id);
  }

  @FieldResolver(() => [Chapter], { description: "The course's chapters in order." })
  chapters(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): MaybePromise<Chapter[]> {
    return chaptersOf(ctx, info, course);
  }

  @FieldResolver(() => Int, { description: "How many chapters the course has." })
  chapterCount(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): MaybePromise<number> {
    return mapMaybe(chapterStatsOf(ctx, info, course), (stats) => stats.count);
  }

  @FieldResolver(() => Int, { description: "The chapters' study times added up, in minutes." })
  totalDurationMinutes(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): MaybePromise<number> {
    return mapMaybe(chapterStatsOf(ctx, info, course), (stats) => stats.minutes);
  }
}

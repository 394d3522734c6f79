import type { GraphQLResolveInfo } from "graphql";
import { Arg, Authorized, Ctx, FieldResolver, Info, Int, Mutation, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { IdScalar } from "../../lib/scalars";
import { chaptersOf } from "../chapters/chapter.loaders";
import { Course } from "../courses/course.model";
import { mapMaybe, type MaybePromise } from "../../lib/maybe-promise";
import { allProgressHeld, enrollmentCountLoader, progressOfUserLoader } from "./progress.loaders";
import { summarize } from "./progress.service";
import { CourseProgress } from "./progress.types";
import type { Context } from "../../lib/context";
import { actorOf, signedInActor } from "../../lib/identity";

@Resolver(() => Course)
export class ProgressResolver {
  @Authorized()
  @Mutation(() => Course, {
    description: "Enrolls you in a course: any public course, or a private one you own. Enrolling again changes nothing.",
  })
  async enroll(
    @Arg("courseId", () => IdScalar, { description: "The course to enroll in." }) courseId: string,
    @Ctx() ctx: Context,
  ): Promise<Course> {
    return ctx.services.progress.enroll(await signedInActor(ctx), courseId);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Leaves a course and forgets your progress in it, even one no longer visible to you; false if you were not enrolled." })
  async unenroll(
    @Arg("courseId", () => IdScalar, { description: "The course to leave." }) courseId: string,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.progress.unenroll(await signedInActor(ctx), courseId);
  }

  @Authorized()
  @Mutation(() => Course, { description: "Marks a chapter of a course you are enrolled in as completed; returns its course." })
  async completeChapter(
    @Arg("chapterId", () => IdScalar, { description: "The chapter you completed." }) chapterId: string,
    @Ctx() ctx: Context,
  ): Promise<Course> {
    return ctx.services.progress.completeChapter(await signedInActor(ctx), chapterId, true, ctx.loaders);
  }

  @Authorized()
  @Mutation(() => Course, { description: "Marks a chapter as not completed again; returns its course." })
  async uncompleteChapter(
    @Arg("chapterId", () => IdScalar, { description: "The chapter to mark as not completed." }) chapterId: string,
    @Ctx() ctx: Context,
  ): Promise<Course> {
    return ctx.services.progress.completeChapter(await signedInActor(ctx), chapterId, false, ctx.loaders);
  }

  @FieldResolver(() => CourseProgress, {
    nullable: true,
    description: "Your progress in the course; null unless you are signed in and enrolled.",
  })
  myProgress(@Root() course: Course, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): MaybePromise<CourseProgress | null> {
    // On a page that read every enrollment of a viewer already known (a list of their courses), at once: no promise per course.
    const viewer = ctx.viewerNow();
    const held = viewer && allProgressHeld(ctx.loaders, viewer.user._id);
    if (held) {
      const progress = held.get(String(course._id));
      return progress ? mapMaybe(chaptersOf(ctx, info, course), (chapters) => summarize(progress, chapters)) : null;
    }
    return this.progressOf(course, ctx, info);
  }

  private async progressOf(course: Course, ctx: Context, info: GraphQLResolveInfo): Promise<CourseProgress | null> {
    const actor = await actorOf(ctx);
    if (!actor) return null;
    const progress = await progressOfUserLoader(ctx, actor._id).load(course._id);
    if (!progress) return null;
    return summarize(progress, await chaptersOf(ctx, info, course));
  }

  @FieldResolver(() => Int, { description: "How many users are enrolled in the course." })
  enrollmentCount(@Root() course: Course, @Ctx() ctx: Context): Promise<number> {
    return enrollmentCountLoader(ctx).load(course._id);
  }
}

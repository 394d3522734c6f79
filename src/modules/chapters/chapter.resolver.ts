import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { courseNotFound } from "../courses/course.policy";
import { courseLoader } from "../courses/course.loaders";
import { Course } from "../courses/course.model";
import { AddChapterInput, ChapterIdArgs, ReorderChaptersArgs, UpdateChapterArgs } from "./chapter.inputs";
import { Chapter } from "./chapter.model";
import type { Context } from "../../lib/context";
import { actorOf } from "../../lib/identity";

@Resolver(() => Chapter)
export class ChapterResolver {
  @Query(() => Chapter, { nullable: true, description: "One chapter, or null when there is none you may see with this id." })
  async chapter(@Args() { id }: ChapterIdArgs, @Ctx() ctx: Context): Promise<Chapter | null> {
    return ctx.services.chapters.readable(await actorOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Chapter, { description: "Adds a chapter at the end of a course; its owner or an admin only." })
  async addChapter(
    @Arg("input", () => AddChapterInput, { description: "The new chapter." }) input: AddChapterInput,
    @Ctx() ctx: Context,
  ): Promise<Chapter> {
    return ctx.services.chapters.add(await actorOf(ctx), input.courseId, input);
  }

  @Authorized()
  @Mutation(() => Chapter, { description: "Changes a chapter's title, content or study time; the course's owner or an admin only." })
  async updateChapter(@Args() { id, input }: UpdateChapterArgs, @Ctx() ctx: Context): Promise<Chapter> {
    return ctx.services.chapters.update(await actorOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes a chapter; the chapters after it move up one place." })
  async deleteChapter(@Args() { id }: ChapterIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.chapters.delete(await actorOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => [Chapter], {
    description: "Puts a course's chapters in a new order (numbered 1..n) and returns them in it; safe to call concurrently.",
  })
  async reorderChapters(@Args() { courseId, chapterIds }: ReorderChaptersArgs, @Ctx() ctx: Context): Promise<Chapter[]> {
    return ctx.services.chapters.reorder(await actorOf(ctx), courseId, chapterIds);
  }

  @FieldResolver(() => Course, { description: "The course the chapter belongs to." })
  async course(@Root() chapter: Chapter, @Ctx() ctx: Context): Promise<Course> {
    const course = await courseLoader(ctx).load(chapter.course_id);
    return course ?? courseNotFound();
  }
}

import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Subscription } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { validArgs } from "../../lib/validation";
import { courseLoader } from "./course.loaders";
import { Course } from "./course.model";
import { GenerateCourseInput, GenerationJobArgs } from "./generation.inputs";
import { CourseGenerationJob } from "./generation.types";
import type { Context } from "../../lib/context";
import { actorOf, signedInActor } from "../../lib/identity";

@Resolver(() => CourseGenerationJob)
export class GenerationResolver {
  @Authorized()
  @Mutation(() => Course, {
    description:
      "Has the AI provider write a private course on a topic and returns it when stored, with you enrolled; AI_UNAVAILABLE (and nothing stored) when the provider fails.",
  })
  async generateCourse(
    @Arg("input", () => GenerateCourseInput, { description: "What course to write." }) input: GenerateCourseInput,
    @Ctx() ctx: Context,
  ): Promise<Course> {
    return ctx.services.courseGeneration.generate(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => CourseGenerationJob, {
    description: "Starts writing a course in the background and returns its job at once; follow it with `courseGeneration`. The course, once stored, has you enrolled.",
  })
  async startCourseGeneration(
    @Arg("input", () => GenerateCourseInput, { description: "What course to write." }) input: GenerateCourseInput,
    @Ctx() ctx: Context,
  ): Promise<CourseGenerationJob> {
    return ctx.services.courseGeneration.start(await signedInActor(ctx), input);
  }

  @Authorized()
  @Query(() => CourseGenerationJob, { nullable: true, description: "One of your course generation jobs, or null if there is none with this id." })
  async courseGenerationJob(@Args() { jobId }: GenerationJobArgs, @Ctx() ctx: Context): Promise<CourseGenerationJob | null> {
    return ctx.services.courseGeneration.job(await actorOf(ctx), jobId);
  }

  @Authorized()
  @Subscription(() => CourseGenerationJob, {
    name: "courseGeneration",
    description:
      "A course generation job's current state, then each step (outline ready, chapter k of n written) until DONE or FAILED; NOT_FOUND unless the job is yours.",
    subscribe: async ({ args, context }) => {
      const { jobId } = validArgs(GenerationJobArgs, args);
      return (context as Context).services.courseGeneration.watch(await signedInActor(context as Context), jobId);
    },
  })
  courseGenerationEvents(@Args() _args: GenerationJobArgs, @Root() job: CourseGenerationJob): CourseGenerationJob {
    return job;
  }

  @FieldResolver(() => Course, { nullable: true, description: "The generated course, once DONE and while it exists." })
  async course(@Root() job: CourseGenerationJob, @Ctx() ctx: Context): Promise<Course | null> {
    return job.courseId && courseLoader(ctx).load(job.courseId);
  }
}

import { GraphQLError } from "graphql";
import { Types } from "mongoose";
import { courseOutlinePrompt, type CourseLevel as PromptCourseLevel } from "../../infra/ai/prompts";
import type { AiProvider } from "../../infra/ai/provider";
import type { CourseOutline } from "../../infra/ai/schemas";
import { JobStatus, type Job, type JobService } from "../../infra/jobs";
import { raise } from "../../lib/errors";
import type { ChapterService } from "../chapters/chapter.service";
import { CourseSource, type Course, type CourseLevel } from "./course.model";
import { CoursePolicy } from "./course.policy";
import type { CourseService } from "./course.service";
import { GenerationStage, type CourseGenerationJob } from "./generation.types";
import type { Actor } from "../../lib/identity";
import { asObjectId } from "../../lib/ids";
import type { Quota } from "../../lib/quota";

const JOB_KIND = "course_generation";

export interface GenerationRequest {
  topic: string;
  level: CourseLevel;
  numChapters: number;
  language?: string | null;
}

interface GenerationProgress {
  stage: GenerationStage;
  chaptersWritten: number;
  totalChapters: number;
}

type Report = (progress: GenerationProgress) => Promise<void>;

function jobNotFound(): never {
  return raise("NOT_FOUND", "Course generation job not found");
}

/**
 * Courses written by the AI provider from a topic. One path serves both the synchronous mutation
 * and the background job; the job only adds progress reports.
 */
export class CourseGenerationService {
  constructor(
    private readonly deps: { ai: AiProvider; aiWork: Quota; courses: CourseService; chapters: ChapterService; jobs: JobService },
  ) {}

  /**
   * Asks for an outline, then stores its chapters under a new course id and the course last: until
   * the course document exists nothing reaches the chapters, and if a step fails they are removed,
   * so a failure leaves nothing behind.
   */
  async generate(owner: Exclude<Actor, null>, request: GenerationRequest, report?: Report): Promise<Course> {
    await this.deps.aiWork.spend(String(owner._id));
    return this.write(owner, request, report);
  }

  /** Starts a background generation and returns its job at once; follow it with `watch`. */
  async start(owner: Exclude<Actor, null>, request: GenerationRequest): Promise<CourseGenerationJob> {
    await this.deps.aiWork.spend(String(owner._id));
    const job = await this.deps.jobs.create(JOB_KIND, owner._id, {
      stage: GenerationStage.QUEUED,
      chaptersWritten: 0,
      totalChapters: request.numChapters,
    } satisfies GenerationProgress);
    this.deps.jobs.run(job, async (signal) => {
      const report: Report = async (progress) => {
        await this.deps.jobs.update(job._id, { progress: { ...progress } });
      };
      await report({ stage: GenerationStage.WRITING_OUTLINE, chaptersWritten: 0, totalChapters: request.numChapters });
      const course = await this.write(owner, request, report, signal);
      return { courseId: course._id };
    });
    return toGenerationJob(job);
  }

  private async write(
    owner: Exclude<Actor, null>,
    request: GenerationRequest,
    report: Report = async () => undefined,
    signal?: AbortSignal,
  ): Promise<Course> {
    const total = request.numChapters;
    const outline = await this.outline(owner, request, signal);
    await report({ stage: GenerationStage.OUTLINE_READY, chaptersWritten: 0, totalChapters: total });
    const courseId = new Types.ObjectId();
    try {
      await this.deps.chapters.insertForNewCourse(courseId, outline.chapters, (written) =>
        report({ stage: GenerationStage.CHAPTER_WRITTEN, chaptersWritten: written, totalChapters: total }),
      );
      signal?.throwIfAborted();
      return await this.deps.courses.insertGenerated({
        _id: courseId,
        ownerId: owner._id,
        title: outline.title,
        description: outline.description,
        outline: outlineText(outline),
        level: request.level,
        source: CourseSource.AI_GENERATED,
      });
    } catch (error) {
      await this.deps.chapters.deleteForCourse(courseId);
      throw error;
    }
  }

  async job(actor: Actor, id: string): Promise<CourseGenerationJob | null> {
    const job = await this.visibleJob(actor, id);
    return job && toGenerationJob(job);
  }

  /** The job's current state, then each change until it is DONE or FAILED; NOT_FOUND unless it is yours. */
  async watch(actor: Actor, id: string): Promise<AsyncIterable<CourseGenerationJob>> {
    const job = (await this.visibleJob(actor, id)) ?? jobNotFound();
    return this.deps.jobs.watch(job, toGenerationJob);
  }

  private async visibleJob(actor: Actor, id: string): Promise<Job | null> {
    const jobId = asObjectId(id);
    if (!jobId || !actor) return null;
    const job = await this.deps.jobs.find(jobId);
    if (!job || job.kind !== JOB_KIND) return null;
    return CoursePolicy.canSeeGenerationJob(actor, job) ? job : null;
  }

  /** Provider failures are already AI_UNAVAILABLE or BAD_USER_INPUT; anything else it throws is the service failing. */
  private async outline(owner: Exclude<Actor, null>, request: GenerationRequest, signal?: AbortSignal): Promise<CourseOutline> {
    const prompt = courseOutlinePrompt({
      topic: request.topic.trim(),
      level: request.level.toUpperCase() as PromptCourseLevel,
      numChapters: request.numChapters,
      language: request.language?.trim() || undefined,
    });
    // A count mismatch is an invalid answer like any other: the provider asks the model to repair it.
    const schema = prompt.schema.refine(
      (outline) => outline.chapters.length === request.numChapters,
      `chapters must hold exactly ${request.numChapters} chapters`,
    );
    try {
      const answer = await this.deps.ai.generateJson({ ...prompt, schema }, { userId: String(owner._id), signal });
      return answer.value;
    } catch (error) {
      if (error instanceof GraphQLError || signal?.aborted) throw error;
      return raise("AI_UNAVAILABLE", "The AI service could not write the course outline");
    }
  }
}

/** The course's `outline` field: its chapters as a numbered Markdown list. */
function outlineText(outline: CourseOutline): string {
  return outline.chapters.map((chapter, i) => `${i + 1}. ${chapter.title} (${chapter.durationMinutes} min)`).join("\n");
}

function toGenerationJob(job: Job): CourseGenerationJob {
  const progress = job.progress as Partial<GenerationProgress>;
  const courseId = job.result?.courseId;
  return {
    id: job._id,
    stage:
      job.status === JobStatus.SUCCEEDED
        ? GenerationStage.DONE
        : job.status === JobStatus.FAILED
          ? GenerationStage.FAILED
          : (progress.stage ?? GenerationStage.QUEUED),
    chaptersWritten: progress.chaptersWritten ?? 0,
    totalChapters: progress.totalChapters ?? 0,
    courseId: courseId instanceof Types.ObjectId ? courseId : null,
    error: job.error ?? null,
    createdAt: job.created_at,
    updatedAt: job.updated_at,
  };
}

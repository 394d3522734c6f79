import type { Types } from "mongoose";
import { IdScalar } from "../../lib/scalars";
import { Field, Int, ObjectType, registerEnumType } from "type-graphql";

export enum GenerationStage {
  QUEUED = "QUEUED",
  WRITING_OUTLINE = "WRITING_OUTLINE",
  OUTLINE_READY = "OUTLINE_READY",
  CHAPTER_WRITTEN = "CHAPTER_WRITTEN",
  DONE = "DONE",
  FAILED = "FAILED",
}

registerEnumType(GenerationStage, {
  name: "CourseGenerationStage",
  description: "Where a course generation job is.",
  valuesConfig: {
    QUEUED: { description: "Accepted, not started yet." },
    WRITING_OUTLINE: { description: "The AI provider is writing the outline." },
    OUTLINE_READY: { description: "The outline is written and valid; chapters are being stored." },
    CHAPTER_WRITTEN: { description: "Chapter `chaptersWritten` of `totalChapters` is stored." },
    DONE: { description: "The course is stored: see `courseId`." },
    FAILED: { description: "Nothing was stored: see `error`." },
  },
});

@ObjectType({ description: "A course being generated in the background, as `startCourseGeneration` started it." })
export class CourseGenerationJob {
  @Field(() => IdScalar, { description: "The job's id." })
  id!: Types.ObjectId;

  @Field(() => GenerationStage, { description: "Where the job is." })
  stage!: GenerationStage;

  @Field(() => Int, { description: "How many chapters are stored so far." })
  chaptersWritten!: number;

  @Field(() => Int, { description: "How many chapters the course will have." })
  totalChapters!: number;

  @Field(() => IdScalar, { nullable: true, description: "The generated course, once DONE." })
  courseId!: Types.ObjectId | null;

  @Field(() => String, { nullable: true, description: "Why the job failed, once FAILED." })
  error!: string | null;

  @Field({ description: "When the job was started." })
  createdAt!: Date;

  @Field({ description: "When the job last moved on." })
  updatedAt!: Date;
}

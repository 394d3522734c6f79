import { IsInt, IsOptional, IsString, Length, Matches, Max, MaxLength, Min } from "class-validator";
import { ArgsType, Field, InputType, Int } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { CourseLevel } from "./course.model";
import { NOT_BLANK } from "../../lib/validation";

const LANGUAGE_MAX_LENGTH = 40;

@InputType({ description: "What course to have the AI provider write." })
export class GenerateCourseInput {
  @Field({ description: "What the course is about (5 to 200 characters)." })
  @IsString()
  @Length(5, 200)
  @Matches(NOT_BLANK, { message: "topic must not be blank" })
  topic!: string;

  @Field(() => CourseLevel, { description: "Who the course is written for; BEGINNER when left out, as in the seed." })
  level: CourseLevel = CourseLevel.BEGINNER;

  @Field(() => Int, { description: "How many chapters to write (3 to 20); 5 when left out, as in the seed." })
  @IsInt()
  @Min(3)
  @Max(20)
  numChapters: number = 5;

  @Field(() => String, {
    nullable: true,
    description: `Language to write in, e.g. "English" or "fr" (up to ${LANGUAGE_MAX_LENGTH} characters); the model's choice when left out.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(LANGUAGE_MAX_LENGTH)
  language?: string | null;
}

@ArgsType()
export class GenerationJobArgs {
  @Field(() => IdScalar, { description: "The job id `startCourseGeneration` returned." })
  jobId!: string;
}

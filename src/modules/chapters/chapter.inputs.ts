import { ArrayMaxSize, ArrayMinSize, IsInt, IsString, Length, Matches, Max, MaxLength, Min, ValidateIf, ValidateNested } from "class-validator";
import { ArgsType, Field, InputType, Int } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { NOT_BLANK } from "../../lib/validation";
import { TITLE_MAX_LENGTH } from "../courses/course.rules";
import { CONTENT_MAX_LENGTH, MAX_CHAPTERS } from "./chapter.model";

const DURATION_MAX_MINUTES = 600;

@InputType({ description: "A new chapter, added at the end of its course." })
export class AddChapterInput {
  @Field(() => IdScalar, { description: "The course the chapter belongs to." })
  courseId!: string;

  @Field({ description: `Title (1 to ${TITLE_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title!: string;

  @Field({ description: `The chapter's text in Markdown (up to ${CONTENT_MAX_LENGTH} characters).`, defaultValue: "" })
  @IsString()
  @MaxLength(CONTENT_MAX_LENGTH)
  content: string = "";

  @Field(() => Int, { description: `Estimated study time in minutes (0 to ${DURATION_MAX_MINUTES}).`, defaultValue: 0 })
  @IsInt()
  @Min(0)
  @Max(DURATION_MAX_MINUTES)
  durationMinutes: number = 0;
}

@InputType({ description: "Changes to a chapter; fields left out stay as they are. Use `reorderChapters` to move it." })
export class UpdateChapterInput {
  @Field(() => String, { nullable: true, description: `New title (1 to ${TITLE_MAX_LENGTH} characters).` })
  @ValidateIf((input: UpdateChapterInput) => input.title !== undefined)
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string;

  @Field(() => String, { nullable: true, description: `New Markdown text (up to ${CONTENT_MAX_LENGTH} characters).` })
  @ValidateIf((input: UpdateChapterInput) => input.content !== undefined)
  @IsString()
  @MaxLength(CONTENT_MAX_LENGTH)
  content?: string;

  @Field(() => Int, { nullable: true, description: `New study time in minutes (0 to ${DURATION_MAX_MINUTES}).` })
  @ValidateIf((input: UpdateChapterInput) => input.durationMinutes !== undefined)
  @IsInt()
  @Min(0)
  @Max(DURATION_MAX_MINUTES)
  durationMinutes?: number;
}

@ArgsType()
export class ChapterIdArgs {
  @Field(() => IdScalar, { description: "The chapter's id." })
  id!: string;
}

@ArgsType()
export class UpdateChapterArgs extends ChapterIdArgs {
  @ValidateNested()
  @Field(() => UpdateChapterInput, { description: "The fields to change." })
  input!: UpdateChapterInput;
}

@ArgsType()
export class ReorderChaptersArgs {
  @Field(() => IdScalar, { description: "The course whose chapters to reorder." })
  courseId!: string;

  @Field(() => [IdScalar], { description: "Every chapter of the course, each once, in the new order." })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CHAPTERS)
  chapterIds!: string[];
}

import { IsInt, IsOptional, Length, Max, MaxLength, Min, ValidateNested } from "class-validator";
import { ArgsType, Field, InputType, Int } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { UPLOAD_TITLE_MAX_LENGTH } from "./upload.model";
import { CourseLevel } from "../courses/course.model";

@ArgsType()
export class UploadIdArgs {
  @Field(() => IdScalar, { description: "The upload's id." })
  id!: string;
}

@ArgsType()
export class UploadProgressArgs {
  @Field(() => IdScalar, { description: "The upload to follow." })
  uploadId!: string;
}

@InputType({ description: "How to make a course of an uploaded document." })
export class CourseFromUploadInput {
  @Field(() => String, { nullable: true, description: "The course's title (1 to 200 characters); the upload's title when left out." })
  @IsOptional()
  @Length(1, 200)
  title?: string | null;

  @Field(() => CourseLevel, { description: "Who the course is written for; BEGINNER when left out, as in the seed." })
  level: CourseLevel = CourseLevel.BEGINNER;

  @Field(() => Int, { nullable: true, description: "How many chapters to aim for (1 to 30; 5 when left out); a short document gets fewer." })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(30)
  numChapters?: number | null;
}

@ArgsType()
export class CourseFromUploadArgs {
  @Field(() => IdScalar, { description: "A READY upload of yours." })
  uploadId!: string;

  @ValidateNested()
  @Field(() => CourseFromUploadInput, { description: "Title, level and size of the course." })
  input!: CourseFromUploadInput;
}


@ArgsType()
export class UploadTitleArgs {
  @Field(() => String, { nullable: true, description: `A title for the document (up to ${UPLOAD_TITLE_MAX_LENGTH} characters); the file name when left out.` })
  @IsOptional()
  @MaxLength(UPLOAD_TITLE_MAX_LENGTH)
  title?: string | null;
}

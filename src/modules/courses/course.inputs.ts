import { ArrayMaxSize, IsOptional, IsString, Length, Matches, MaxLength, ValidateBy, ValidateIf, ValidateNested } from "class-validator";
import { ArgsType, Field, InputType } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { CourseLevel } from "./course.model";
import { CourseOwnerFilter, DESCRIPTION_MAX_LENGTH, MAX_TAGS, OUTLINE_MAX_LENGTH, SEARCH_MAX_LENGTH, TAG_MAX_LENGTH, TITLE_MAX_LENGTH } from "./course.rules";
import { NOT_BLANK } from "../../lib/validation";


/** Tags are stored trimmed and lower-cased, so a tag is judged by its trimmed length. */
function IsTag() {
  return ValidateBy(
    {
      name: "isTag",
      validator: {
        validate: (value: unknown) => typeof value === "string" && value.trim().length >= 1 && value.trim().length <= TAG_MAX_LENGTH,
        defaultMessage: () => `each tag must be 1 to ${TAG_MAX_LENGTH} characters once trimmed`,
      },
    },
    { each: true },
  );
}

@InputType({ description: "A new course, written by hand; it starts private (see `publishCourse`)." })
export class CreateCourseInput {
  @Field({ description: `Title (1 to ${TITLE_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title!: string;

  @Field(() => String, { nullable: true, description: `What the course covers (up to ${DESCRIPTION_MAX_LENGTH} characters).` })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @Field(() => String, { nullable: true, description: `Syllabus or plan as free text (up to ${OUTLINE_MAX_LENGTH} characters).` })
  @IsOptional()
  @IsString()
  @MaxLength(OUTLINE_MAX_LENGTH)
  outline?: string | null;

  @Field(() => CourseLevel, { description: "Who the course is written for; BEGINNER when left out, as in the seed." })
  level: CourseLevel = CourseLevel.BEGINNER;

  @Field(() => [String], {
    nullable: true,
    description: `Up to ${MAX_TAGS} tags, each 1 to ${TAG_MAX_LENGTH} characters; stored trimmed and lower-cased.`,
  })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @IsTag()
  tags?: string[] | null;
}

@InputType({ description: "Changes to a course; fields left out stay as they are." })
export class UpdateCourseInput {
  @Field(() => String, { nullable: true, description: `New title (1 to ${TITLE_MAX_LENGTH} characters).` })
  @ValidateIf((input: UpdateCourseInput) => input.title !== undefined)
  @IsString()
  @Length(1, TITLE_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "title must not be blank" })
  title?: string;

  @Field(() => String, { nullable: true, description: `New description (up to ${DESCRIPTION_MAX_LENGTH} characters); null clears it.` })
  @IsOptional()
  @IsString()
  @MaxLength(DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @Field(() => String, { nullable: true, description: `New outline (up to ${OUTLINE_MAX_LENGTH} characters); null clears it.` })
  @IsOptional()
  @IsString()
  @MaxLength(OUTLINE_MAX_LENGTH)
  outline?: string | null;

  @Field(() => CourseLevel, { nullable: true, description: "New level." })
  @ValidateIf((input: UpdateCourseInput) => input.level !== undefined)
  @IsString()
  level?: CourseLevel;

  @Field(() => [String], { nullable: true, description: `Replaces the tags (up to ${MAX_TAGS}); null clears them.` })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @IsTag()
  tags?: string[] | null;
}

@InputType({ description: "Narrows a course listing; every field given must match." })
export class CourseFilter {
  @Field(() => CourseOwnerFilter, { nullable: true, description: "Which courses to start from; ALL when left out." })
  owner?: CourseOwnerFilter;

  @Field(() => CourseLevel, { nullable: true, description: "Only courses of this level." })
  level?: CourseLevel;

  @Field(() => [String], { nullable: true, description: `Only courses carrying every one of these tags (any case; up to ${MAX_TAGS}).` })
  @IsOptional()
  @ArrayMaxSize(MAX_TAGS)
  @IsTag()
  tags?: string[] | null;

  @Field(() => String, { nullable: true, description: "Only courses whose title, description or a tag contains this text (any case)." })
  @IsOptional()
  @IsString()
  @MaxLength(SEARCH_MAX_LENGTH)
  search?: string | null;
}

@ArgsType()
export class CoursesArgs extends PageArgs {
  @ValidateNested()
  @Field(() => CourseFilter, { nullable: true, description: "What to list; the caller's visible courses when left out." })
  filter?: CourseFilter | null;
}

@ArgsType()
export class CourseIdArgs {
  @Field(() => IdScalar, { description: "The course's id." })
  id!: string;
}

@ArgsType()
export class PublishCourseArgs extends CourseIdArgs {
  @Field({ description: "True puts the course in the public catalog (instructors and admins only); false makes it private." })
  isPublic!: boolean;
}

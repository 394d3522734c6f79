import { ArrayMaxSize, IsOptional, Length, Matches, Max, Min } from "class-validator";
import { ArgsType, Field, Int } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { SourceType } from "./embedding.model";

const QUERY_MAX_LENGTH = 1000;

@ArgsType()
export class SearchArgs {
  @Field({ description: `What to look for, in words (1 to ${QUERY_MAX_LENGTH} characters).` })
  @Length(1, QUERY_MAX_LENGTH)
  @Matches(/\S/, { message: "query must not be blank" })
  query!: string;

  @Field(() => [SourceType], { nullable: true, description: "Only passages of these kinds; all kinds when left out." })
  @IsOptional()
  @ArrayMaxSize(2)
  sourceTypes?: SourceType[] | null;

  @Field(() => IdScalar, { nullable: true, description: "Only chapters of this course (one you may read)." })
  courseId?: string | null;

  @Field(() => IdScalar, { nullable: true, description: "Only passages of this upload of yours." })
  uploadId?: string | null;

  @Field(() => Int, { description: "How many passages to return (1 to 50)." })
  @Min(1)
  @Max(50)
  limit: number = 10;
}

import type { Types } from "mongoose";
import { Field, Int, ObjectType } from "type-graphql";
import { IdScalar } from "../../lib/scalars";

@ObjectType({ description: "Your enrollment in a course and how far you are through it." })
export class CourseProgress {
  @Field(() => Int, { description: "How many of the course's current chapters you have completed." })
  completedChapters!: number;

  @Field(() => Int, { description: "How many chapters the course has now." })
  totalChapters!: number;

  @Field(() => Int, { description: "Completed chapters as a whole percentage of all chapters, rounded down (0 with no chapters)." })
  percent!: number;

  @Field(() => [IdScalar], { description: "Ids of the chapters you have completed, in course order." })
  completedChapterIds!: Types.ObjectId[];

  @Field({ description: "When you enrolled." })
  enrolledAt!: Date;

  @Field({ description: "When you last enrolled, completed or uncompleted a chapter of this course." })
  lastActivityAt!: Date;
}

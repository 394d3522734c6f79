import { Types } from "mongoose";
import { Field, ObjectType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { Course } from "./course.model";

@ObjectType({ description: "One page of courses, newest first." })
export class CoursePage extends PageOf(Course) {}

/** Only what anyone who can see the course may know about its owner: never the e-mail address. */
@ObjectType({ description: "The user who owns a course, as its readers see them." })
export class CourseOwner {
  @Field({ name: "id", description: "The owner's user id." })
  _id!: Types.ObjectId;

  @Field({ description: "The owner's display name." })
  name!: string;
}

import { ObjectType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { Course } from "./course.model";

@ObjectType({ description: "One page of courses, newest first." })
export class CoursePage extends PageOf(Course) {}


import { Field, Float, Int, ObjectType } from "type-graphql";
import { PageOf } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { QuizAttempt } from "../quizzes/attempt.model";
import { Assignment, AssignmentStatus } from "./assignment.model";

@ObjectType({ description: "An assignment as one student sees it: its status and their work so far." })
export class StudentAssignment {
  @Field(() => Assignment, { description: "The assignment." })
  assignment!: Assignment;

  @Field(() => IdScalar, { name: "classId", description: "Its class." })
  classId!: string;

  @Field({ name: "className", description: "Its class's name." })
  className!: string;

  @Field(() => AssignmentStatus, { description: "Where you stand with it now." })
  status!: AssignmentStatus;

  @Field(() => Float, { nullable: true, description: "The score that counts, in percent (a course's or deck's completion); null while nothing is handed in." })
  score!: number | null;

  @Field(() => Int, { name: "attemptsUsed", description: "Quiz submissions you made." })
  attemptsUsed!: number;

  @Field(() => Int, { name: "completionPercent", description: "Course: chapters completed; deck: reviews done of those asked; quiz: 100 once submitted." })
  completionPercent!: number;

  @Field(() => Date, { name: "submittedAt", nullable: true, description: "When the counting work was handed in." })
  submittedAt!: Date | null;

  @Field(() => Date, { name: "attemptEndsAt", nullable: true, description: "A running timed attempt's end (without the grace); null when none runs." })
  attemptEndsAt!: Date | null;
}

@ObjectType({ description: "A page of your assignments, soonest due first." })
export class StudentAssignmentPage extends PageOf(StudentAssignment) {}

@ObjectType({ description: "A submitted quiz assignment: the graded attempt and how it counts." })
export class AssignmentSubmission {
  @Field(() => QuizAttempt, { description: "The graded attempt (keys hidden until due when the teacher said so)." })
  attempt!: QuizAttempt;

  @Field({ description: "Whether it came after the due date or past the time limit." })
  late!: boolean;

  @Field(() => StudentAssignment, { description: "The assignment as you see it now." })
  assignment!: StudentAssignment;
}

@ObjectType({ description: "A page of a class's assignments, soonest due first." })
export class AssignmentPage extends PageOf(Assignment) {}

@ObjectType({ description: "One student x one assignment in the gradebook." })
export class GradebookCell {
  @Field(() => IdScalar, { name: "assignmentId", description: "The assignment." })
  assignmentId!: string;

  @Field(() => AssignmentStatus, { description: "Where the student stands." })
  status!: AssignmentStatus;

  @Field(() => Float, { nullable: true, description: "The score that counts (best or last attempt, as set; completion for courses and decks), in percent." })
  score!: number | null;

  @Field(() => Int, { description: "Quiz attempts submitted." })
  attempts!: number;

  @Field(() => Int, { name: "completionPercent", description: "Completion in percent." })
  completionPercent!: number;

  @Field(() => Date, { name: "submittedAt", nullable: true, description: "When the counting work was handed in." })
  submittedAt!: Date | null;

  @Field({ description: "Whether the counting work came late." })
  late!: boolean;

  @Field(() => Int, { name: "lateSeconds", description: "How late, in seconds (0 when on time)." })
  lateSeconds!: number;
}

@ObjectType({ description: "A chapter where a student misses most, from their answers in this class's quiz assignments." })
export class ClassWeakSpot {
  @Field(() => IdScalar, { name: "chapterId", description: "The chapter." })
  chapterId!: string;

  @Field(() => Int, { description: "Answers about it." })
  answered!: number;

  @Field(() => Int, { description: "Of which wrong." })
  missed!: number;
}

@ObjectType({ description: "One student's row of the gradebook." })
export class GradebookRow {
  @Field(() => IdScalar, { name: "userId", description: "The student." })
  userId!: string;

  @Field({ description: "Their name." })
  name!: string;

  @Field({ description: "Their e-mail address (the gradebook is for teachers and TAs)." })
  email!: string;

  @Field(() => [GradebookCell], { description: "One cell per assignment, in the order of `Gradebook.assignments`." })
  cells!: GradebookCell[];

  @Field(() => [ClassWeakSpot], { name: "weakSpots", description: "Chapters they miss most in this class's quizzes, worst first (at most 3)." })
  weakSpots!: ClassWeakSpot[];
}

@ObjectType({ description: "One assignment's column: the class average and counts." })
export class GradebookColumn {
  @Field(() => Assignment, { description: "The assignment." })
  assignment!: Assignment;

  @Field(() => Float, { name: "averageScore", nullable: true, description: "The students' average score that counts, over those with one; null when none." })
  averageScore!: number | null;

  @Field(() => Int, { description: "Students who handed it in on time." })
  submitted!: number;

  @Field(() => Int, { description: "Students who handed it in late." })
  late!: number;

  @Field(() => Int, { description: "Students who missed it." })
  missed!: number;
}

@ObjectType({ description: "A class's gradebook: students x assignments, for teachers and TAs." })
export class Gradebook {
  @Field(() => [GradebookColumn], { description: "The assignments, soonest due first." })
  assignments!: GradebookColumn[];

  @Field(() => [GradebookRow], { description: "The students, by name." })
  rows!: GradebookRow[];
}

@ObjectType({ description: "One member's standing in a class." })
export class ClassLeaderboardEntry {
  @Field(() => Int, { description: "1 for the most points; ties share a rank." })
  rank!: number;

  @Field(() => IdScalar, { name: "userId", description: "The student." })
  userId!: string;

  @Field({ description: "Their name." })
  name!: string;

  @Field(() => Float, { description: "The sum of their scores that count over the class's assignments." })
  points!: number;

  @Field(() => Int, { description: "Assignments handed in (on time or late)." })
  completed!: number;
}

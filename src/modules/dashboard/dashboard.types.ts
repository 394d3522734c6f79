import { Types } from "mongoose";
import { Field, Float, Int, ObjectType } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { Course } from "../courses/course.model";
import { ActivityKind } from "./activity.model";

@ObjectType({ description: "A course on your dashboard: one you own, are enrolled in, or both." })
export class DashboardCourse {
  @Field(() => Course, { description: "The course." })
  course!: Course;

  @Field({ description: "Whether you own the course." })
  owned!: boolean;

  @Field({ description: "Whether you are enrolled in the course." })
  enrolled!: boolean;

  @Field(() => Int, { nullable: true, description: "Completed chapters as a whole percentage, rounded down; null unless enrolled." })
  progressPercent!: number | null;

  @Field(() => Int, { description: "Chapters you have completed (0 unless enrolled)." })
  completedChapters!: number;

  @Field(() => Int, { description: "Chapters the course has now." })
  totalChapters!: number;
}

@ObjectType({ description: "Something you did recently." })
export class ActivityItem {
  @Field(() => ActivityKind, { description: "What you did." })
  kind!: ActivityKind;

  @Field({ description: "The chapter completed or the quiz taken, by its title at the time." })
  title!: string;

  @Field({ description: "When." })
  at!: Date;

  @Field(() => IdScalar, { nullable: true, description: "The course it belongs to, if any." })
  courseId!: Types.ObjectId | null;

  @Field(() => IdScalar, { nullable: true, description: "The chapter completed, or the chapter of the quiz taken." })
  chapterId!: Types.ObjectId | null;

  @Field(() => IdScalar, { nullable: true, description: "The quiz taken; null for chapter completions." })
  quizId!: Types.ObjectId | null;

  @Field(() => Float, { nullable: true, description: "The attempt's score in percent; null for chapter completions." })
  percent!: number | null;
}

@ObjectType({ description: "A chapter whose quiz questions you miss most: a chapter quiz's questions, or a course quiz's questions citing it." })
export class WeakSpot {
  @Field({ description: "The chapter." })
  chapterId!: Types.ObjectId;

  @Field({ description: "The chapter's title." })
  title!: string;

  @Field({ description: "The chapter's course." })
  courseId!: Types.ObjectId;

  @Field(() => Int, { description: "How many questions about it your attempts held, over all attempts; a question left blank counts (as wrong)." })
  answered!: number;

  @Field(() => Int, { description: "How many of those answers were wrong." })
  missed!: number;

  @Field(() => Float, { description: "Wrong answers as a share of answers, 0 to 1." })
  missRate!: number;
}

@ObjectType({ description: "Your learning at a glance." })
export class Dashboard {
  @Field(() => [DashboardCourse], { description: "Courses you own or are enrolled in (the 100 most recent), newest first." })
  courses!: DashboardCourse[];

  @Field(() => Int, { description: "Chapters completed across the courses you are enrolled in." })
  chaptersCompleted!: number;

  @Field(() => Int, { description: "Different quizzes you have attempted, your own quizzes and those whose attempts earn no points included." })
  quizzesTaken!: number;

  @Field(() => Int, { description: "Every quiz attempt you have submitted, retakes included." })
  attempts!: number;

  @Field(() => Float, { description: "Average percent over every attempt you have submitted, rounded to one decimal (0 before any attempt)." })
  averageScore!: number;

  @Field(() => Int, {
    description:
      "Your all-time leaderboard points: per quiz, the best attempt that counts for the leaderboard (by default your first at a quiz you cannot author; see `QuizAttempt.countsForLeaderboard`), capped at LEADERBOARD_MAX_POINTS_PER_QUIZ, added up. 0 when only your own quizzes or retakes were taken.",
  })
  totalPoints!: number;

  @Field(() => Int, {
    nullable: true,
    description: "Your all-time leaderboard rank (competition ranking by points; everyone with an attempt is ranked, with 0 points if none count); null before any attempt.",
  })
  rank!: number | null;

  @Field(() => Int, { description: "UTC days in a row, up to today or yesterday, with a completed chapter or a quiz attempt." })
  currentStreak!: number;

  @Field(() => Int, { description: "The longest run of UTC days in a row with a completed chapter or a quiz attempt." })
  longestStreak!: number;

  @Field(() => [ActivityItem], { description: "Your 10 latest completed chapters and quiz attempts, newest first." })
  recentActivity!: ActivityItem[];

  @Field(() => [WeakSpot], { description: "Up to 5 chapters whose quiz questions you miss most, worst first." })
  weakSpots!: WeakSpot[];
}

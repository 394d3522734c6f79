import { Types } from "mongoose";
import { ArgsType, Field, Float, Int, ObjectType } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { LeaderboardPeriod } from "./period";

@ArgsType()
export class LeaderboardArgs extends PageArgs {
  @Field(() => LeaderboardPeriod, { description: "Which attempts count: all time, this month or this week (UTC)." })
  period: LeaderboardPeriod = LeaderboardPeriod.ALL_TIME;

  @Field(() => IdScalar, { nullable: true, description: "Only attempts at quizzes of this course (one you may read)." })
  courseId?: string | null;
}

@ObjectType({ description: "One user's place on a leaderboard." })
export class LeaderboardEntry {
  @Field(() => Int, { description: "Competition rank from 1: equal points share a rank, and the next rank skips the tied places (1, 2, 2, 4)." })
  rank!: number;

  /** Resolved to `user` through a loader. */
  userId!: string;

  @Field(() => Int, {
    description:
      "Points of the best counting attempt at each quiz in the period, each capped at LEADERBOARD_MAX_POINTS_PER_QUIZ, added up. By default an attempt counts when it is the user's first at a quiz they cannot author (LEADERBOARD_FIRST_ATTEMPT_ONLY, LEADERBOARD_AUTHORS_SCORE); see `QuizAttempt.countsForLeaderboard`.",
  })
  points!: number;

  @Field(() => Int, { description: "How many different quizzes the user attempted in the period, counting attempts that earn no points." })
  quizzesTaken!: number;

  @Field(() => Int, { description: "How many attempts the user submitted in the period, retakes and attempts that earn no points included." })
  attempts!: number;

  @Field(() => Float, { description: "Average percent over every attempt in the period, rounded to one decimal." })
  averagePercent!: number;
}

@ObjectType({
  description:
    "Users ranked by quiz points over a period, optionally within one course. Everyone with an attempt in the period is ranked; one whose attempts earn no points (retakes, their own quizzes) is ranked with 0 points.",
})
export class Leaderboard {
  @Field(() => LeaderboardPeriod, { description: "The period counted." })
  period!: LeaderboardPeriod;

  @Field(() => IdScalar, { nullable: true, description: "The course counted; null for all quizzes." })
  courseId!: Types.ObjectId | null;

  @Field(() => [LeaderboardEntry], { description: "This page of the ranking, best first." })
  entries!: LeaderboardEntry[];

  @Field(() => Int, { description: "How many users are ranked: everyone with an attempt in the period." })
  total!: number;

  @Field({ description: "Whether ranked users remain after this page." })
  hasMore!: boolean;

  @Field(() => LeaderboardEntry, { nullable: true, description: "Your own place, even when outside this page; null if you have no attempt in the period (within the course, if one is given)." })
  me!: LeaderboardEntry | null;

  @Field({ description: "When the ranking was computed; it is cached for a few seconds, and a new attempt refreshes it." })
  computedAt!: Date;
}

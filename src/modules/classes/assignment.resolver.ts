import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { selectedFields } from "../../lib/selection";
import type { Context } from "../../lib/context";
import { raise } from "../../lib/errors";
import { signedInActor } from "../../lib/identity";
import { PageArgs, type Page } from "../../lib/pagination";
import { Dashboard } from "../dashboard/dashboard.types";
import type { ItemStats } from "../quizzes/item-stats";
import { QuestionStats } from "../quizzes/quiz.types";
import { AssignmentIdArgs, CreateAssignmentInput, MyAssignmentsArgs, SubmitAssignmentArgs } from "./assignment.inputs";
import { Assignment } from "./assignment.model";
import {
  AssignmentPage,
  AssignmentSubmission,
  ClassLeaderboardEntry,
  Gradebook,
  StudentAssignment,
  StudentAssignmentPage,
} from "./assignment.types";
import { classAccess } from "./class.loaders";
import { Class } from "./class.model";
import { classNotFound } from "./class.service";

@Resolver(() => Assignment)
export class AssignmentResolver {
  @Authorized()
  @Mutation(() => Assignment, { description: "Assigns a course, quiz or deck you may share to a class you teach; its students get read access to it." })
  async createAssignment(@Arg("input", () => CreateAssignmentInput, { description: "The assignment." }) input: CreateAssignmentInput, @Ctx() ctx: Context): Promise<Assignment> {
    return ctx.services.assignments.create(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes an assignment of a class you teach and its work records (the students' quiz attempts stay in their history)." })
  async deleteAssignment(@Args() { assignmentId }: AssignmentIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.assignments.delete(await signedInActor(ctx), assignmentId);
  }

  @Authorized()
  @Mutation(() => StudentAssignment, { description: "Starts work on an assignment of yours; a timed quiz's clock starts now, on the server." })
  async startAssignment(@Args() { assignmentId }: AssignmentIdArgs, @Ctx() ctx: Context): Promise<StudentAssignment> {
    return ctx.services.assignments.start(await signedInActor(ctx), assignmentId);
  }

  @Authorized()
  @Mutation(() => AssignmentSubmission, {
    description: "Submits a quiz assignment of yours: graded like `submitQuizAttempt`, and counted in the class's gradebook. Refused when no attempts are left, or late where late work does not count.",
  })
  async submitAssignment(@Args() { assignmentId, answers }: SubmitAssignmentArgs, @Ctx() ctx: Context): Promise<AssignmentSubmission> {
    return ctx.services.assignments.submitQuiz(await signedInActor(ctx), assignmentId, answers);
  }

  @Authorized()
  @Query(() => StudentAssignmentPage, { name: "myAssignments", description: "Your assignments as a student in your classes, soonest due first, with their status." })
  async myAssignments(@Args() { status, skip, limit }: MyAssignmentsArgs, @Ctx() ctx: Context): Promise<Page<StudentAssignment>> {
    return ctx.services.assignments.mine(await signedInActor(ctx), status, { skip, limit });
  }

  @FieldResolver(() => [QuestionStats], {
    name: "questionStats",
    nullable: true,
    description: "A quiz assignment's per-question statistics over this class's attempts only: teachers and TAs (FORBIDDEN for students); null for courses and decks.",
  })
  async questionStats(@Root() assignment: Assignment, @Ctx() ctx: Context): Promise<ItemStats[] | null> {
    const access = (await classAccess(ctx, assignment.class_id)) ?? classNotFound();
    if (!access.staff) raise("FORBIDDEN", "Only the class's teachers and TAs may see this");
    return ctx.services.gradebook.questionStats(await signedInActor(ctx), assignment);
  }
}

@Resolver(() => Class)
export class ClassWorkResolver {
  @FieldResolver(() => AssignmentPage, { description: "The class's assignments, soonest due first (every member)." })
  async assignments(@Root() cls: Class, @Args() { skip, limit }: PageArgs, @Ctx() ctx: Context): Promise<Page<Assignment>> {
    if (!(await classAccess(ctx, cls._id))) classNotFound();
    return ctx.services.assignments.forClass(cls._id, { skip, limit });
  }

  @FieldResolver(() => Gradebook, { description: "Students x assignments with scores, attempts, completion and lateness: teachers and TAs only (FORBIDDEN for students)." })
  async gradebook(@Root() cls: Class, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Gradebook> {
    const access = (await classAccess(ctx, cls._id)) ?? classNotFound();
    if (!access.staff) raise("FORBIDDEN", "Only the class's teachers and TAs may see the gradebook");
    // Weak spots read every answer of the class's attempts: only when asked for.
    return ctx.services.gradebook.gradebook(access, { weakSpots: selectedFields(info, "GradebookRow").has("weakSpots") });
  }

  @FieldResolver(() => [ClassLeaderboardEntry], { description: "The class's students by the sum of their scores that count (every member)." })
  async leaderboard(@Root() cls: Class, @Ctx() ctx: Context): Promise<ClassLeaderboardEntry[]> {
    const access = (await classAccess(ctx, cls._id)) ?? classNotFound();
    return ctx.services.gradebook.leaderboard(access);
  }
}

@Resolver(() => Dashboard)
export class DashboardAssignmentResolver {
  @FieldResolver(() => StudentAssignment, { name: "nextAssignment", nullable: true, description: "Your assignment due next that you have not handed in; null when none." })
  async nextAssignment(@Ctx() ctx: Context): Promise<StudentAssignment | null> {
    return ctx.services.assignments.nextDue(await signedInActor(ctx));
  }
}

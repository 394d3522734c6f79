import { Arg, Args, Authorized, Ctx, Int, Mutation, Query, Resolver } from "type-graphql";
import type { Page } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { User } from "../users/user.model";
import { SetUserActiveArgs, SetUserRoleArgs, UsersArgs } from "./admin.inputs";
import { UserPage } from "./admin.types";
import type { Context } from "../../lib/context";

@Resolver()
export class AdminResolver {
  @Authorized("ADMIN")
  @Query(() => UserPage, { description: "Admins only: users, newest first, optionally filtered." })
  users(@Args() { skip, limit, role, isActive, search }: UsersArgs, @Ctx() ctx: Context): Promise<Page<User>> {
    return ctx.services.admin.listUsers({ role, isActive, search }, { skip, limit });
  }

  @Authorized("ADMIN")
  @Query(() => User, { nullable: true, description: "Admins only: one user, or null if there is none with this id." })
  user(@Arg("id", () => IdScalar, { description: "The user's id." }) id: string, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.services.admin.user(id);
  }

  @Authorized("ADMIN")
  @Mutation(() => User, { description: "Admins only: changes a user's role; the last active admin cannot be demoted (CONFLICT)." })
  setUserRole(@Args() { userId, role }: SetUserRoleArgs, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.admin.setRole(userId, role);
  }

  @Authorized("ADMIN")
  @Mutation(() => User, {
    description:
      "Admins only: deactivates (ending all the user's sessions at once) or reactivates an account; the last active admin cannot be deactivated (CONFLICT).",
  })
  setUserActive(@Args() { userId, active }: SetUserActiveArgs, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.admin.setActive(userId, active);
  }

  @Authorized("ADMIN")
  @Mutation(() => Int, {
    description:
      "Admins only: rebuilds what every course carries of its chapters and owner (what lists show) from the chapters and users, and returns how many courses were out of step and rewritten. Safe to run at any time.",
  })
  repairCourseSummaries(@Ctx() ctx: Context): Promise<number> {
    return ctx.services.courses.repairReadModels();
  }

  @Authorized("ADMIN")
  @Mutation(() => Int, {
    description:
      "Admins only: counts every quiz's attempts again and rewrites the statistics quiz pages show (attempts, average percent) where they were out of step; returns how many quizzes were rewritten. Safe to run at any time: an attempt submitted meanwhile may be miscounted, which a second run puts right.",
  })
  repairQuizStatistics(@Ctx() ctx: Context): Promise<number> {
    return ctx.services.attempts.repairStatistics();
  }
}

import { Args, Authorized, Ctx, Query, Resolver } from "type-graphql";
import { AdminStats, AdminStatsArgs } from "./admin-stats.types";
import type { Context } from "../../lib/context";

@Resolver(() => AdminStats)
export class AdminStatsResolver {
  @Authorized("ADMIN")
  @Query(() => AdminStats, {
    name: "adminStats",
    description: "Admins only: users by role and state, courses by source, uploads by state, quizzes, and attempts, chat messages and AI usage over a period.",
  })
  adminStats(@Args() { since, until }: AdminStatsArgs, @Ctx() ctx: Context): Promise<AdminStats> {
    return ctx.services.adminStats.stats({ since, until });
  }
}

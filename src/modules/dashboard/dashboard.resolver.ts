import type { GraphQLResolveInfo } from "graphql";
import { Authorized, Ctx, FieldResolver, Info, Int, Query, Resolver } from "type-graphql";
import { courseFieldsOf } from "../courses/course.resolver";
import { Dashboard } from "./dashboard.types";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";

@Resolver(() => Dashboard)
export class DashboardResolver {
  @Authorized()
  @Query(() => Dashboard, { description: "Your courses, progress, quiz results, rank, streaks, recent activity and weak spots." })
  async dashboard(@Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<Dashboard> {
    return ctx.services.dashboard.forUser(await signedInActor(ctx), ctx.loaders, courseFieldsOf(info));
  }

  @FieldResolver(() => Int, { name: "dueToday", description: "Study cards due by the end of today (UTC), overdue ones included; see `reviewQueue`." })
  async dueToday(@Ctx() ctx: Context): Promise<number> {
    return ctx.services.dashboard.dueToday(await signedInActor(ctx));
  }
}

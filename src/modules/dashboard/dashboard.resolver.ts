import { Authorized, Ctx, Query, Resolver } from "type-graphql";
import type { Context } from "../../context";
import { signedInActor } from "../courses/actor";
import { Dashboard } from "./dashboard.types";

@Resolver(() => Dashboard)
export class DashboardResolver {
  @Authorized()
  @Query(() => Dashboard, { description: "Your courses, progress, quiz results, rank, streaks, recent activity and weak spots." })
  async dashboard(@Ctx() ctx: Context): Promise<Dashboard> {
    return ctx.services.dashboard.forUser(await signedInActor(ctx));
  }
}

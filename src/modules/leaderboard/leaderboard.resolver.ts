import { Args, Authorized, Ctx, FieldResolver, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { raise } from "../../lib/errors";
import { UserSummary, userSummary } from "../users/user-summary";
import { Leaderboard, LeaderboardArgs, LeaderboardEntry } from "./leaderboard.types";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";

@Resolver(() => Leaderboard)
export class LeaderboardResolver {
  @Authorized()
  @Query(() => Leaderboard, { description: "Users with an attempt in the period, ranked by quiz points (best counting attempt per quiz, capped), with your own place." })
  async leaderboard(@Args() { period, courseId, skip, limit }: LeaderboardArgs, @Ctx() ctx: Context): Promise<Leaderboard> {
    const actor = await signedInActor(ctx);
    const course = courseId ? ((await ctx.services.courses.readable(actor, courseId)) ?? raise("NOT_FOUND", "Course not found")) : null;
    const view = await ctx.services.leaderboard.board(actor._id, { period, courseId: course?._id }, { skip, limit });
    return { period, courseId: course?._id ?? null, entries: view.items, total: view.total, hasMore: view.hasMore, me: view.me, computedAt: view.computedAt };
  }
}

@Resolver(() => LeaderboardEntry)
export class LeaderboardEntryResolver {
  @FieldResolver(() => UserSummary, { nullable: true, description: "The user; null if the account no longer exists." })
  user(@Root() entry: LeaderboardEntry, @Ctx() ctx: Context): Promise<UserSummary | null> {
    return userSummary(ctx, entry.userId);
  }
}

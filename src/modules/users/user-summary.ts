import { Types } from "mongoose";
import { Field, ObjectType } from "type-graphql";
import type { Context } from "../../lib/context";
import { userSummaryLoader } from "./user.loaders";

/** Only what others may know about a user: never the e-mail address. */
@ObjectType({ description: "A user as other users see them (course owners, quiz authors, leaderboard entries)." })
export class UserSummary {
  @Field({ name: "id", description: "The user's id." })
  _id!: Types.ObjectId;

  @Field({ description: "The user's display name." })
  name!: string;
}

/** The summary of a user for another user to see, null when the account is gone; batched per execution. */
export async function userSummary(ctx: Context, userId: Types.ObjectId | string): Promise<UserSummary | null> {
  return userSummaryLoader(ctx).load(typeof userId === "string" ? new Types.ObjectId(userId) : userId);
}

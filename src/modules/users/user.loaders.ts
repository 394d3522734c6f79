import type { Types } from "mongoose";
import type { Context } from "../../lib/context";

/** User summaries by id, null where the account is gone: for `UserSummary` fields of other domains. */
export function userSummaryLoader(ctx: Context) {
  return ctx.loaders.get("userSummary", [], (ids: readonly Types.ObjectId[]) => ctx.services.users.summaries(ids));
}

/** `User.profile` for every user of one execution in one query. */
export function profileLoader(ctx: Context) {
  return ctx.loaders.get("profile", [], (ids: readonly Types.ObjectId[]) => ctx.services.users.profiles(ids));
}

/** `User.identities` for every user of one execution in one query. */
export function identitiesLoader(ctx: Context) {
  return ctx.loaders.get("identities", [], (ids: readonly Types.ObjectId[]) => ctx.services.identities.ofUsers(ids));
}

import DataLoader from "dataloader";
import type { Types } from "mongoose";
import type { Context } from "../../context";
import type { UserProfile } from "./user-profile.model";

const profileLoaders = new WeakMap<Context, DataLoader<Types.ObjectId, UserProfile, string>>();

/** `User.profile` for every user of one request in one query; the loader dies with the context. */
export function profileLoader(ctx: Context): DataLoader<Types.ObjectId, UserProfile, string> {
  let loader = profileLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader((ids) => ctx.services.users.profiles(ids), { cacheKeyFn: (id) => String(id) });
    profileLoaders.set(ctx, loader);
  }
  return loader;
}

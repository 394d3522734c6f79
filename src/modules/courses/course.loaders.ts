import DataLoader from "dataloader";
import type { Types } from "mongoose";
import type { Context } from "../../context";
import type { User } from "../users/user.model";
import type { Course } from "./course.model";

type Loader<V> = DataLoader<Types.ObjectId, V, string>;

/**
 * One loader per context and name: it batches the loads of one request (or one subscription
 * event's context) into a single query and dies with the context.
 */
export function perContext<V>(name: string, ctx: Context, batch: (ids: readonly Types.ObjectId[]) => Promise<V[]>): Loader<V> {
  let loaders = registry.get(ctx);
  if (!loaders) registry.set(ctx, (loaders = new Map()));
  let loader = loaders.get(name) as Loader<V> | undefined;
  if (!loader) {
    loader = new DataLoader(batch, { cacheKeyFn: (id) => String(id) });
    loaders.set(name, loader);
  }
  return loader;
}

const registry = new WeakMap<Context, Map<string, Loader<unknown>>>();

/** Courses by id, unfiltered: callers decide what the viewer may see. */
export function courseLoader(ctx: Context): Loader<Course | null> {
  return perContext("course", ctx, (ids) => ctx.services.courses.byIds(ids));
}

export function userLoader(ctx: Context): Loader<User | null> {
  return perContext("user", ctx, (ids) => ctx.services.users.byIds(ids));
}

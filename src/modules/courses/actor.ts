import type { Context } from "../../context";
import { raise } from "../../lib/errors";
import type { Actor } from "./course.access";

/** The signed-in user as services see them, or null for an anonymous visitor. */
export async function actorOf(ctx: Context): Promise<Actor> {
  return (await ctx.viewer())?.user ?? null;
}

/** For fields under `@Authorized()`: the signed-in user. */
export async function signedInActor(ctx: Context): Promise<Exclude<Actor, null>> {
  return (await actorOf(ctx)) ?? raise("UNAUTHENTICATED", "Sign in first");
}

import type { Types } from "mongoose";
import { raise } from "./errors";

/** What a user may do; stored lower-case, as in the seed (the users module names the GraphQL enum). */
export enum UserRole {
  STUDENT = "student",
  INSTRUCTOR = "instructor",
  ADMIN = "admin",
}

/**
 * A signed-in user as the rules see them. The users module widens it to its whole `User`
 * document (declaration merging), so code that holds one never needs a cast.
 */
export interface SignedIn {
  _id: Types.ObjectId;
  role: UserRole;
  /** The classes the user belongs to (any class role): shares made to a class reach its members through them. */
  class_ids?: Types.ObjectId[];
}

/** Who is asking: a signed-in user, or null for an anonymous visitor. */
export type Actor = SignedIn | null;

/** The signed-in user of a request and the session their access token belongs to. */
export interface Viewer {
  user: SignedIn;
  sessionId: string;
}

/** Whatever knows the request's viewer: every `Context`, over HTTP and websockets alike. */
export interface HasViewer {
  viewer(): Promise<Viewer | null>;
}

/** Whatever the transport: a websocket client sends its token in the connection parameters. */
export const SIGN_IN_FIRST =
  "Sign in first: send a valid access token as the `Authorization: Bearer <token>` header, " +
  "or over websockets as `authorization` in the connection parameters (connection_init payload)";

export function isAdmin(actor: Actor): boolean {
  return actor?.role === UserRole.ADMIN;
}

/** The request's user, or null for an anonymous visitor. */
export async function actorOf(ctx: HasViewer): Promise<Actor> {
  return (await ctx.viewer())?.user ?? null;
}

/** For fields under `@Authorized()`: the signed-in viewer, else UNAUTHENTICATED. */
export async function signedInViewer(ctx: HasViewer): Promise<Viewer> {
  return (await ctx.viewer()) ?? raise("UNAUTHENTICATED", SIGN_IN_FIRST);
}

/** For fields under `@Authorized()`: the signed-in user, else UNAUTHENTICATED. */
export async function signedInActor(ctx: HasViewer): Promise<SignedIn> {
  return (await signedInViewer(ctx)).user;
}

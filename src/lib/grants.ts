import { prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import type { Actor, SignedIn } from "./identity";

/** How much a share gives: reading, or reading and changing (co-authoring). Stored lower-case. */
export enum GrantRole {
  VIEWER = "viewer",
  EDITOR = "editor",
}

/**
 * One share of a course, quiz or deck, kept on the shared document: `principal` is a class's id
 * (every member of the class) or a user's id. Class and user ids never collide (ObjectIds), so
 * one multikey index on `grants.principal` serves both.
 */
export class Grant {
  @prop({ required: true, type: () => Types.ObjectId })
  principal!: Types.ObjectId;

  @prop({ required: true, enum: GrantRole, type: String })
  role!: GrantRole;
}

/** Whatever may carry shares. Documents stored before sharing existed have none. */
export interface Grantable {
  grants?: Grant[];
}

/** The ids a share may name to reach this user: the user and each class they belong to. */
export function principalsOf(user: SignedIn): Types.ObjectId[] {
  return [user._id, ...(user.class_ids ?? [])];
}

/** Whether a share reaches the actor with at least `role` (an EDITOR share also lets one read). */
export function granted(actor: Actor, doc: Grantable, role: GrantRole): boolean {
  if (!actor || !doc.grants?.length) return false;
  const principals = new Set(principalsOf(actor).map(String));
  return doc.grants.some((grant) => principals.has(String(grant.principal)) && (role === GrantRole.VIEWER || grant.role === GrantRole.EDITOR));
}

/** `granted(actor, doc, VIEWER)` as a query filter. */
export function grantedFilter(actor: SignedIn): { "grants.principal": { $in: Types.ObjectId[] } } {
  return { "grants.principal": { $in: principalsOf(actor) } };
}

export interface GrantOptions {
  /** Leave a share the principal has as it is (only add one where there is none). */
  keepExisting?: boolean;
}

/**
 * Sets one principal's share on a document of `model` (changing the role of one it has), or
 * removes it (`role` null); each update is atomic, and the push names the principal as absent,
 * so two concurrent shares never leave one principal with two.
 */
export async function setGrantOn(
  model: { updateOne(filter: object, update: object): { exec(): Promise<{ matchedCount: number }> } },
  id: Types.ObjectId,
  principal: Types.ObjectId,
  role: GrantRole | null,
  options: GrantOptions = {},
): Promise<void> {
  if (!role) {
    await model.updateOne({ _id: id }, { $pull: { grants: { principal } } }).exec();
    return;
  }
  const changed = options.keepExisting ? { matchedCount: 0 } : await model.updateOne({ _id: id, "grants.principal": principal }, { $set: { "grants.$.role": role } }).exec();
  if (changed.matchedCount === 0) await model.updateOne({ _id: id, "grants.principal": { $ne: principal } }, { $push: { grants: { principal, role } } }).exec();
}

/** Removes every share naming `principal` (a deleted account or class) from the documents of `model`. */
export async function dropPrincipalFrom(
  model: { updateMany(filter: object, update: object): { exec(): Promise<unknown> } },
  principal: Types.ObjectId,
): Promise<void> {
  await model.updateMany({ "grants.principal": principal }, { $pull: { grants: { principal } } }).exec();
}

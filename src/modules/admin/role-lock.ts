import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { withLease } from "../../lib/lease";

/**
 * The one lease under which roles and active flags change. Keeping an active admin is a rule
 * over all users, which no single-document update can check, and the engine has no transactions:
 * changing first and undoing when no admin was left overwrote changes made meanwhile (reported
 * as successes, then silently reverted). Admin changes are rare, so they simply take turns,
 * across instances too; `until` bounds how long a crashed holder blocks them.
 */
@modelOptions({ schemaOptions: { collection: "admin_locks", versionKey: false } })
@index({ until: 1 }, { expireAfterSeconds: 60 })
class RoleLock {
  @prop({ required: true })
  _id!: string;

  @prop({ required: true })
  token!: string;

  @prop({ required: true })
  until!: Date;
}

const RoleLockModel = getModelForClass(RoleLock);

export function withRoleLock<T>(work: () => Promise<T>): Promise<T> {
  const options = { leaseMs: 10_000, waitMs: 10_000, retryMs: { min: 2, max: 30 }, busy: "Roles are being changed by another request; try again" };
  return withLease(RoleLockModel, "user-roles", options, work);
}

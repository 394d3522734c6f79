import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { raise } from "../../lib/errors";

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

const LOCK_ID = "user-roles";
const LEASE_MS = 10_000;
const WAIT_MS = 10_000;
const RETRY_MS = { min: 2, max: 30 };
const DUPLICATE_KEY = 11000;

export async function withRoleLock<T>(work: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + WAIT_MS;
  while (!(await take(token))) {
    if (Date.now() > deadline) raise("CONFLICT", "Roles are being changed by another request; try again");
    await sleep(RETRY_MS.min + Math.random() * (RETRY_MS.max - RETRY_MS.min));
  }
  try {
    return await work();
  } finally {
    await RoleLockModel.deleteOne({ _id: LOCK_ID, token }).exec();
  }
}

/** One atomic upsert that matches only an expired lease: while another holds it, inserting the same `_id` fails. */
async function take(token: string): Promise<boolean> {
  const now = new Date();
  try {
    await RoleLockModel.updateOne({ _id: LOCK_ID, until: { $lt: now } }, { $set: { token, until: new Date(now.getTime() + LEASE_MS) } }, { upsert: true }).exec();
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

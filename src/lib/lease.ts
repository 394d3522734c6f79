import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Model } from "mongoose";
import { raise } from "./errors";

const DUPLICATE_KEY = 11000;

/** How a lease is held and waited for. */
export interface LeaseOptions {
  /** How long one holder keeps it: bounds how long a holder that died blocks the others. */
  leaseMs: number;
  /** How long a request queues behind others before giving up with CONFLICT. */
  waitMs: number;
  /** The random pause between tries, in ms. */
  retryMs: { min: number; max: number };
  /** CONFLICT's message when the wait runs out. */
  busy: string;
  /** Asked between tries; throws to stop waiting (what the lease guards is gone). */
  stillWanted?: () => Promise<void>;
}

/**
 * Runs `work` while holding the lease `id` in `model`'s collection (documents `{ _id, token,
 * until }`, with a TTL index on `until` to remove what dead holders leave). The engine (and a
 * standalone mongod) has no transactions, so work that must not interleave takes turns instead:
 * the lease is taken with one atomic upsert that matches only an expired lease, so while another
 * holds it the insert of the same `_id` fails and this one retries; work across instances too.
 */
// Typegoose models differ in their document type, so any model is taken.
export async function withLease<T>(model: Model<any>, id: unknown, options: LeaseOptions, work: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const deadline = Date.now() + options.waitMs;
  while (!(await take(model, id, token, options.leaseMs))) {
    await options.stillWanted?.();
    if (Date.now() > deadline) raise("CONFLICT", options.busy);
    await sleep(options.retryMs.min + Math.random() * (options.retryMs.max - options.retryMs.min));
  }
  try {
    return await work();
  } finally {
    await model.deleteOne({ _id: id, token }).exec();
  }
}

async function take(model: Model<any>, id: unknown, token: string, leaseMs: number): Promise<boolean> {
  const now = new Date();
  try {
    await model.updateOne({ _id: id, until: { $lt: now } }, { $set: { token, until: new Date(now.getTime() + leaseMs) } }, { upsert: true }).exec();
    return true;
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
    throw error;
  }
}

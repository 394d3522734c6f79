import { GraphQLError } from "graphql";
import type { Types } from "mongoose";
import type { Logger } from "../../lib/logger";
import type { AppPubSub } from "../pubsub";
import { raise } from "../../lib/errors";
import { watchStored } from "../../lib/live";
import { JobModel, JobStatus, type Job } from "./job.model";

/** Longer than the slowest step between two updates (an AI call with its retries). */
const LEASE_MS = 10 * 60_000;
const INTERRUPTED = "The job was interrupted because the server stopped; start it again";

export interface JobChanges {
  status?: JobStatus;
  progress?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: string;
}

export function isFinished(job: Pick<Job, "status">): boolean {
  return job.status === JobStatus.SUCCEEDED || job.status === JobStatus.FAILED;
}

/**
 * Durable jobs in the `jobs` collection: state is stored before it is published on
 * `"JOB_UPDATED"`, so a watcher can always start from the stored state and follow updates.
 */
export class JobService {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly deps: { pubSub: AppPubSub; log: Logger }) {}

  create(kind: string, ownerId: Types.ObjectId, progress: Record<string, unknown>): Promise<Job> {
    return JobModel.create({ kind, owner_id: ownerId, progress, lease_until: leaseEnd() }).then((job) => job.toObject<Job>());
  }

  /** Deletes every job of an owner (a deleted account); a job still running finds nothing to update. */
  async removeOwnedBy(ownerId: Types.ObjectId): Promise<void> {
    await JobModel.deleteMany({ owner_id: ownerId }).exec();
  }

  /** The job as stored; an unfinished job whose lease ran out is recorded as failed first. */
  async find(id: Types.ObjectId): Promise<Job | null> {
    const job = await JobModel.findById(id).lean<Job>().exec();
    if (!job || isFinished(job) || job.lease_until >= new Date()) return job;
    const abandoned = { status: { $in: [JobStatus.QUEUED, JobStatus.RUNNING] }, lease_until: { $lt: new Date() } };
    const failed = await this.update(id, { status: JobStatus.FAILED, error: INTERRUPTED }, abandoned);
    // Null when the job moved on meanwhile: read what it became.
    return failed ?? JobModel.findById(id).lean<Job>().exec();
  }

  /** Stores the changes, renews the lease, publishes the new state. */
  async update(id: Types.ObjectId, changes: JobChanges, condition: Record<string, unknown> = {}): Promise<Job | null> {
    const set: Record<string, unknown> = { lease_until: leaseEnd() };
    for (const [key, value] of Object.entries(changes)) if (value !== undefined) set[key] = value;
    const update = { $set: set, $inc: { version: 1 } };
    const job = await JobModel.findOneAndUpdate({ _id: id, ...condition }, update, { returnDocument: "after" }).lean<Job>().exec();
    if (job) this.deps.pubSub.publish("JOB_UPDATED", String(id), job);
    return job;
  }

  /**
   * Runs `work` in the background as the job's body: RUNNING while it runs, then SUCCEEDED with
   * its result, or FAILED with the message of what it threw.
   */
  run(job: Pick<Job, "_id">, work: (signal: AbortSignal) => Promise<Record<string, unknown>>): void {
    const controller = new AbortController();
    const key = String(job._id);
    const done = (async () => {
      try {
        await this.update(job._id, { status: JobStatus.RUNNING });
        const result = await work(controller.signal);
        await this.update(job._id, { status: JobStatus.SUCCEEDED, result });
      } catch (error) {
        const message = controller.signal.aborted ? INTERRUPTED : this.reason(key, error);
        await this.update(job._id, { status: JobStatus.FAILED, error: message }).catch((failed: unknown) =>
          this.deps.log.error({ err: failed, jobId: key }, "jobs: could not record a failure"),
        );
      } finally {
        this.running.delete(key);
      }
    })();
    this.running.set(key, { controller, done });
  }

  /**
   * Stored state first, then every later update, each through `map`, ending after the job
   * finishes. Subscribes before reading the stored state, so no update can fall between the two.
   */
  watch<T>(job: Job, map: (job: Job) => T): AsyncIterable<T> {
    const live = this.deps.pubSub.subscribe("JOB_UPDATED", String(job._id))[Symbol.asyncIterator]();
    return watchStored(
      live,
      {
        load: async () => (await this.find(job._id)) ?? job,
        version: (state) => state.version,
        finished: isFinished,
        gone: () => raise("NOT_FOUND", "Job not found"),
      },
      map,
    );
  }

  /** What a user may read of a failure: raised errors say what went wrong, unexpected ones are logged and masked. */
  private reason(jobId: string, error: unknown): string {
    if (error instanceof GraphQLError) return error.message;
    this.deps.log.error({ err: error, jobId }, "jobs: a job failed unexpectedly");
    return "The job failed because of an internal error";
  }

  /** Stops the jobs this process runs (they are recorded as interrupted) and waits for them. */
  async close(): Promise<void> {
    const running = [...this.running.values()];
    for (const { controller } of running) controller.abort(new Error(INTERRUPTED));
    await Promise.all(running.map(({ done }) => done));
  }
}

function leaseEnd(): Date {
  return new Date(Date.now() + LEASE_MS);
}

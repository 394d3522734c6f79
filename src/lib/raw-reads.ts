import type { Document, Filter, FindOptions } from "mongodb";
import type { Model } from "mongoose";
import { filterTags, joinedCollections } from "./filter-tags";
import { currentReads, Tag } from "./read-tags";

/**
 * What `model.find(filter, projection).lean()` returns, read straight through the driver: no
 * mongoose Query, filter casting or option handling, which the hot read paths (a page's loaders)
 * pay on every query. Only for filters built in code with the stored types (ObjectIds, never id
 * strings), since nothing casts them.
 */
// Typegoose models differ in their document type, so any model is taken; T types the result.
export function findRaw<T>(model: Model<any>, filter: Filter<Document>, options: FindOptions = {}): Promise<T[]> {
  return model.collection.find(filter, options).toArray() as Promise<T[]>;
}

/** One find of `readTogether`: a model's documents matching a filter built in code (as for `findRaw`). */
export interface RawRead {
  model: Model<any>;
  filter: Filter<Document>;
  sort?: Record<string, 1 | -1>;
  limit?: number;
  /** Inclusions or exclusions only, as find's projection. */
  projection?: Record<string, 0 | 1>;
  /** Stages run on what the find returned (e.g. a `$lookup` by `_id`, a `$group`). */
  then?: Document[];
  /**
   * In `readTogether` only: `field` also among the values at `valuesAt` (ObjectIds) in what an
   * earlier read of the same command returned, e.g. `{ field: "_id", valuesAt: "enrolled.course_id" }`:
   * a read that depends on another, in the same command (a `$lookup` by `localField`).
   */
  among?: { field: string; valuesAt: string };
}

/**
 * Several independent finds in one database command, answered together: a database-level
 * aggregate of one empty document and an uncorrelated `$lookup` per read (MongoDB 5.1+; the
 * embedded engine reads each through its indexes). For hot paths whose reads do not depend on
 * each other, so a request waits for, and the database parses, one command instead of several;
 * a read `among` the ids an earlier one returned joins by them (`localField`, MongoDB 5.0+), in
 * the order the reads are given.
 * The response cache's watch of mongoose's operations does not see this command: each read tags
 * the request here, as narrowly as a find of its filter would (`lib/filter-tags.ts`).
 */
export async function readTogether<T extends Record<string, unknown[]>>(reads: { [K in keyof T]: RawRead }): Promise<T> {
  const entries = Object.entries(reads) as [string, RawRead][];
  if (entries.length === 0) return {} as T;
  const record = currentReads();
  if (record) for (const [, read] of entries) for (const tag of readTags(read)) record.tags.add(tag);
  const stages = entries.map(([as, read]) => ({
    $lookup: {
      from: read.model.collection.collectionName,
      ...(read.among && { localField: read.among.valuesAt, foreignField: read.among.field }),
      pipeline: pipelineOf(read),
      as,
    },
  }));
  const db = entries[0][1].model.db.db;
  if (!db) throw new Error("readTogether: the database is not connected");
  const [row] = await db.aggregate([{ $documents: [{}] }, ...stages]).toArray();
  return row as T;
}

/**
 * A service's read as `readTogether` takes it, and how its rows become that service's answer (the
 * rule stays with the service; `answer` may read further, when what it reads next depends on them).
 */
export interface Reading<T> {
  read: RawRead;
  // Rows of any model: each reading's `answer` types its own.
  answer: (rows: any[]) => T | Promise<T>;
}

/** `reading`, whose answer is also handed to `use` once read (a loader's `prime`, for the fields that read it later). */
export function alsoTo<T>(reading: Reading<T>, use: (answer: T) => void): Reading<T> {
  return {
    read: reading.read,
    answer: async (rows) => {
      const answer = await reading.answer(rows);
      use(answer);
      return answer;
    },
  };
}

/**
 * One reading's answer on its own (a loader's batch): a find through the driver, or an aggregate
 * when it has stages. Seen by the response cache's watch like any collection method.
 */
export async function answerAlone<T>(reading: Reading<T>): Promise<T> {
  const { model, filter, sort, limit, projection, then, among } = reading.read;
  if (among) throw new Error("answerAlone: a read among another's values is read with it (answerTogether)");
  const rows = then
    ? await model.collection.aggregate(pipelineOf(reading.read)).toArray()
    : await findRaw(model, filter, { ...(sort && { sort }), ...(limit && { limit }), ...(projection && { projection }) });
  return reading.answer(rows);
}

/** Each reading's answer, all read in one database command (`readTogether`). */
export async function answerTogether<T extends Record<string, unknown>>(readings: { [K in keyof T]: Reading<T[K]> }): Promise<T> {
  const keys = Object.keys(readings) as (keyof T & string)[];
  const rows = await readTogether<Record<string, unknown[]>>(Object.fromEntries(keys.map((key) => [key, readings[key].read])));
  const answers = await Promise.all(keys.map((key) => readings[key].answer(rows[key])));
  return Object.fromEntries(keys.map((key, i) => [key, answers[i]])) as T;
}

/** What one read of `readTogether` reads: its collection by its filter (`among` only narrows it), and whole any collection its stages join. */
function readTags(read: RawRead): string[] {
  return [...filterTags(read.model.collection.collectionName, read.filter), ...joinedCollections(read.then ?? []).map(Tag.all)];
}

/** A read as pipeline stages: its match, sort, limit and projection, then its own stages. */
function pipelineOf(read: RawRead): Document[] {
  const pipeline: Document[] = [{ $match: read.filter }];
  if (read.sort) pipeline.push({ $sort: read.sort });
  if (read.limit) pipeline.push({ $limit: read.limit });
  if (read.projection) pipeline.push({ $project: read.projection });
  pipeline.push(...(read.then ?? []));
  return pipeline;
}

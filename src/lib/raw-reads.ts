import type { Document, Filter, FindOptions } from "mongodb";
import type { Model } from "mongoose";

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

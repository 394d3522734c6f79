import type { Document } from "bson";
import { ReadPreference, type ReadPreferenceMode } from "mongodb";
import { bsonTag, isDocument } from "../bson-values";

/**
 * Turns values parsed in canonical Extended JSON into what the driver's API takes: Int32 and
 * non-integral Double become plain numbers (the driver writes them back as int32 and double,
 * and validates options such as `limit` or a sort direction as numbers). A Double with an
 * integral value stays a Double so that it still goes out as a double; Long stays a Long.
 */
export function toDriverValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toDriverValue);
  if (isDocument(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toDriverValue(v)]));
  const tag = bsonTag(value);
  if (tag === "Int32") return (value as { value: number }).value;
  if (tag === "Double") {
    const number = (value as { value: number }).value;
    return Number.isInteger(number) ? value : number;
  }
  return value;
}

export function toReadPreference(spec: Document): ReadPreference {
  const { mode, tagSets, maxStalenessSeconds, hedge } = toDriverValue(spec) as Document;
  return new ReadPreference(mode as ReadPreferenceMode, tagSets, { maxStalenessSeconds, hedge });
}

/** collectionOrDatabaseOptions: readConcern and writeConcern as documents, readPreference as an object. */
export function toCollectionOptions(spec: Document | undefined): Document {
  if (!spec) return {};
  const { readPreference, ...rest } = toDriverValue(spec) as Document;
  return readPreference ? { ...rest, readPreference: toReadPreference(readPreference) } : rest;
}

/** Operation arguments with the common options (session, read preference) turned into driver objects. */
export function toOperationArguments(args: Document | undefined, resolveSession: (name: string) => unknown): Document {
  const converted = toDriverValue(args ?? {}) as Document;
  if (typeof converted.session === "string") converted.session = resolveSession(converted.session);
  if (converted.readPreference) converted.readPreference = toReadPreference(converted.readPreference);
  return converted;
}

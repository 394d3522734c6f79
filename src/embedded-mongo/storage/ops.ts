import type { Document } from "bson";

/**
 * The logical mutations of the storage engine. Every change to the catalog is one of these,
 * applied through StorageEngine.apply and handed to the persistence hook; they are plain BSON
 * documents so a journal can store them as they are.
 */
export type StorageOp =
  | { op: "createCollection"; db: string; coll: string; options: Document }
  | { op: "dropCollection"; db: string; coll: string }
  | { op: "setOptions"; db: string; coll: string; options: Document }
  | { op: "setSearchIndex"; db: string; coll: string; name: string; index: SearchIndexSpec | null }
  | { op: "dropDatabase"; db: string }
  | { op: "renameCollection"; db: string; coll: string; toDb: string; toColl: string }
  | { op: "createIndex"; db: string; coll: string; spec: IndexSpec }
  | { op: "dropIndex"; db: string; coll: string; name: string }
  | { op: "insert"; db: string; coll: string; doc: Document }
  | { op: "replace"; db: string; coll: string; doc: Document }
  | { op: "delete"; db: string; coll: string; id: unknown };

/** An Atlas search index definition; the engine serves `vectorSearch` ones with `$vectorSearch`. */
export interface SearchIndexSpec extends Document {
  id: string;
  name: string;
  type: string;
  definition: Document;
}

/** An index as listIndexes shows it. */
export interface IndexSpec extends Document {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

/** Where durability plugs in: awaited after a command's ops are applied, before the reply. */
export interface Persistence {
  commit(ops: readonly StorageOp[]): Promise<void> | void;
}

import type { Document } from "bson";
import { commandError } from "../errors";
import { Collection } from "./collection";
import type { Persistence, StorageOp } from "./ops";

/**
 * The catalog (databases -> collections) and the single place where it changes. A command
 * applies its ops one by one (each op is validated first and either fully applied or rejected),
 * collecting them in a log that `commit` hands to the persistence hook before the reply goes
 * out. A loader can rebuild the catalog by replaying ops through `apply`.
 */
export class StorageEngine {
  private readonly databases = new Map<string, Map<string, Collection>>();

  constructor(private readonly persistence?: Persistence) {}

  databaseNames(): string[] {
    return [...this.databases.keys()];
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  collection(db: string, coll: string): Collection | undefined {
    return this.databases.get(db)?.get(coll);
  }

  /** Validates and applies one op, appending it to `log` when given. Throws without side effects. */
  apply(op: StorageOp, log?: StorageOp[]): void {
    switch (op.op) {
      case "createCollection": {
        let db = this.databases.get(op.db);
        if (db?.has(op.coll)) throw commandError("NamespaceExists", `Collection ${op.db}.${op.coll} already exists.`);
        if (!db) this.databases.set(op.db, (db = new Map()));
        db.set(op.coll, new Collection(op.db, op.coll, op.options));
        break;
      }
      case "dropCollection":
        this.databases.get(op.db)?.delete(op.coll);
        if (this.databases.get(op.db)?.size === 0) this.databases.delete(op.db);
        break;
      case "setOptions":
        this.require(op.db, op.coll).options = op.options;
        break;
      case "dropDatabase":
        this.databases.delete(op.db);
        break;
      case "renameCollection": {
        const source = this.require(op.db, op.coll);
        if (this.collection(op.toDb, op.toColl)) throw commandError("NamespaceExists", "target namespace exists");
        this.databases.get(op.db)?.delete(op.coll);
        if (this.databases.get(op.db)?.size === 0) this.databases.delete(op.db);
        let target = this.databases.get(op.toDb);
        if (!target) this.databases.set(op.toDb, (target = new Map()));
        // The collection moves whole: documents, indexes (with their counters) and search indexes.
        source.db = op.toDb;
        source.name = op.toColl;
        target.set(op.toColl, source);
        break;
      }
      case "createIndex":
        this.require(op.db, op.coll).addIndex(op.spec);
        break;
      case "setSearchIndex": {
        const coll = this.require(op.db, op.coll);
        if (op.index) coll.searchIndexes.set(op.name, op.index);
        else coll.searchIndexes.delete(op.name);
        break;
      }
      case "dropIndex":
        this.require(op.db, op.coll).dropIndex(op.name);
        break;
      case "insert": {
        const coll = this.require(op.db, op.coll);
        coll.checkInsert(op.doc);
        coll.insert(op.doc);
        break;
      }
      case "replace": {
        const coll = this.require(op.db, op.coll);
        coll.checkReplace(op.doc);
        coll.replace(op.doc);
        break;
      }
      case "delete":
        this.require(op.db, op.coll).delete(op.id);
        break;
    }
    log?.push(op);
  }

  /** Returns the collection, creating it (and logging the creation) when missing, as writes do implicitly. */
  ensureCollection(db: string, coll: string, log: StorageOp[], options: Document = {}): Collection {
    const existing = this.collection(db, coll);
    if (existing) return existing;
    this.apply({ op: "createCollection", db, coll, options }, log);
    return this.require(db, coll);
  }

  async commit(log: readonly StorageOp[]): Promise<void> {
    if (log.length > 0 && this.persistence) await this.persistence.commit(log);
  }

  private require(db: string, coll: string): Collection {
    const collection = this.collection(db, coll);
    if (!collection) throw commandError("NamespaceNotFound", `ns not found: ${db}.${coll}`);
    return collection;
  }
}

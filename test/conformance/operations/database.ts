import type { Document } from "bson";
import type { Db, MongoClient } from "mongodb";
import { clientBulkWrite } from "./client-bulk-write";
import type { OperationResult } from "./collection";

type DatabaseOperation = (db: Db, args: Document) => Promise<OperationResult>;
type ClientOperation = (client: MongoClient, args: Document) => Promise<OperationResult>;

const value = (v: unknown): OperationResult => ({ value: v });
const documents = (v: Document[]): OperationResult => ({ value: v, documents: true });

export const databaseOperations: Record<string, DatabaseOperation> = {
  aggregate: async (db, { pipeline, ...options }) => documents(await db.aggregate(pipeline, options).toArray()),
  createCollection: async (db, { collection, ...options }) => {
    await db.createCollection(collection, options);
    return value(undefined);
  },
  dropCollection: async (db, { collection, ...options }) => value(await db.dropCollection(collection, options)),
  listCollections: async (db, { filter, ...options }) => documents(await db.listCollections(filter ?? {}, options).toArray()),
  listCollectionNames: async (db, { filter, ...options }) =>
    value((await db.listCollections(filter ?? {}, { ...options, nameOnly: true }).toArray()).map((c) => c.name)),
  // The test format passes commandName only for languages that lose key order; the command document keeps it here.
  runCommand: async (db, { command, commandName: _commandName, ...options }) => value(await db.command(command, options)),
  runCursorCommand: async (db, { command, commandName: _commandName, ...options }) =>
    documents(await db.runCursorCommand(command, options).toArray()),
  // No driver helper exists for collMod; the test format defines modifyCollection as that command.
  modifyCollection: async (db, { collection, session, ...options }) =>
    value(await db.command({ collMod: collection, ...options }, { session })),
};

export const clientOperations: Record<string, ClientOperation> = {
  clientBulkWrite,
  listDatabases: async (client, { filter, ...options }) =>
    documents((await client.db().admin().listDatabases({ ...options, filter })).databases),
  listDatabaseNames: async (client, { filter, ...options }) =>
    value((await client.db().admin().listDatabases({ ...options, filter, nameOnly: true })).databases.map((d) => d.name)),
};

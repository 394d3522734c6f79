import type { Document } from "bson";
import type { MongoClient } from "mongodb";
import type { EntityMap } from "../entities";
import type { EntityDescription } from "../spec-files";
import { AssertionFailure } from "../assertion-failure";
import type { OperationResult } from "./collection";

interface RunnerContext {
  entities: EntityMap;
  /** The internal client: the test format asks for it in every assertion below. */
  internal: MongoClient;
}

type SpecialOperation = (args: Document, context: RunnerContext) => Promise<OperationResult>;

const none: OperationResult = { value: undefined };
const NAMESPACE_NOT_FOUND = 26;

async function collectionNames(internal: MongoClient, databaseName: string): Promise<string[]> {
  const collections = await internal.db(databaseName).listCollections({}, { nameOnly: true }).toArray();
  return collections.map((c) => c.name);
}

async function indexNames(internal: MongoClient, databaseName: string, collectionName: string): Promise<string[]> {
  try {
    const indexes = await internal.db(databaseName).collection(collectionName).listIndexes().toArray();
    return indexes.map((i) => i.name as string);
  } catch (error) {
    if ((error as { code?: number }).code === NAMESPACE_NOT_FOUND) return [];
    throw error;
  }
}

function assert(condition: boolean, message: string): void {
  if (!condition) throw new AssertionFailure(message);
}

/** Special test operations (`object: testRunner`) that a standalone server can support. */
export const testRunnerOperations: Record<string, SpecialOperation> = {
  assertCollectionExists: async ({ databaseName, collectionName }, { internal }) => {
    assert((await collectionNames(internal, databaseName)).includes(collectionName), `collection ${databaseName}.${collectionName} does not exist`);
    return none;
  },
  assertCollectionNotExists: async ({ databaseName, collectionName }, { internal }) => {
    assert(!(await collectionNames(internal, databaseName)).includes(collectionName), `collection ${databaseName}.${collectionName} exists`);
    return none;
  },
  assertIndexExists: async ({ databaseName, collectionName, indexName }, { internal }) => {
    const names = await indexNames(internal, databaseName, collectionName);
    assert(names.includes(indexName), `index ${indexName} missing on ${databaseName}.${collectionName} (has ${names.join(", ")})`);
    return none;
  },
  assertIndexNotExists: async ({ databaseName, collectionName, indexName }, { internal }) => {
    assert(!(await indexNames(internal, databaseName, collectionName)).includes(indexName), `index ${indexName} exists on ${databaseName}.${collectionName}`);
    return none;
  },
  createEntities: async ({ entities: descriptions }, { entities }) => {
    await entities.create(descriptions as EntityDescription[]);
    return none;
  },
  wait: async ({ ms }) => {
    await new Promise((resolve) => setTimeout(resolve, Number(ms)));
    return none;
  },
};

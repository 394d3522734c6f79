import type { Document } from "bson";
import type { MongoClient } from "mongodb";
import { AssertionFailure } from "./assertion-failure";
import { show, toExtendedJson } from "./bson-values";
import { EntityMap } from "./entities";
import { checkError, describeError } from "./expect-error";
import { checkEvents } from "./expect-events";
import { match, matchDocuments, type MatchContext } from "./match";
import { toDriverValue } from "./operations/arguments";
import { findOperation } from "./operations";
import { DEFAULT_URI_OPTIONS, type ServerUnderTest } from "./server";
import type { CollectionData, Operation, SpecFile, TestCase } from "./spec-files";

export interface TestRun {
  failure?: string;
  /** Command events per client, rendered one per line (for --verbose). */
  events: string[];
}

const NAMESPACE_NOT_FOUND = 26;

async function setUpCollections(internal: MongoClient, data: CollectionData[]): Promise<void> {
  for (const { databaseName, collectionName, createOptions, documents } of data) {
    const db = internal.db(databaseName);
    await db.dropCollection(collectionName, { writeConcern: { w: "majority" } }).catch((error: { code?: number }) => {
      if (error.code !== NAMESPACE_NOT_FOUND) throw error;
    });
    if (createOptions || documents.length === 0) {
      await db.createCollection(collectionName, { ...(toDriverValue(createOptions ?? {}) as Document), writeConcern: { w: "majority" } });
    }
    if (documents.length > 0) {
      await db.collection(collectionName).insertMany(toDriverValue(documents) as Document[], { writeConcern: { w: "majority" } });
    }
  }
}

async function checkOutcome(internal: MongoClient, outcome: CollectionData[]): Promise<string | undefined> {
  for (const { databaseName, collectionName, documents } of outcome) {
    const actual = await internal
      .db(databaseName)
      .collection(collectionName)
      .find({}, { sort: { _id: 1 }, readConcern: { level: "local" }, readPreference: "primary" })
      .toArray();
    // Outcome documents must match exactly: no extra fields, at any level.
    const failure = match(documents, actual, { path: `outcome ${databaseName}.${collectionName}` });
    if (failure) return failure;
  }
  return undefined;
}

function matchContext(entities: EntityMap): MatchContext {
  return {
    entity: (name) => entities.value(name),
    sessionLsid: (name) => entities.get(name, "session").id,
  };
}

async function runOperation(operation: Operation, index: number, entities: EntityMap, internal: MongoClient): Promise<void> {
  const label = `operation ${index} (${operation.name})`;
  const execute = findOperation(operation, entities, internal);
  let result: Awaited<ReturnType<typeof execute>> | undefined;
  let error: unknown;
  try {
    result = await execute();
  } catch (e) {
    if (e instanceof AssertionFailure) throw e;
    error = e;
  }
  if (operation.ignoreResultAndError) return;
  const context = matchContext(entities);
  if (operation.expectError) {
    if (error === undefined) throw new AssertionFailure(`${label}: expected an error, got ${show(result?.value)}`);
    const failure = checkError(operation.expectError, error, context);
    if (failure) throw new AssertionFailure(`${label}: ${failure}`);
    return;
  }
  if (error !== undefined) throw new AssertionFailure(`${label}: unexpected error ${describeError(error)}`);
  if ("expectResult" in operation) {
    const failure = result?.documents
      ? matchDocuments(operation.expectResult, result.value, context)
      : match(operation.expectResult, result?.value, { root: true, context });
    if (failure) throw new AssertionFailure(`${label}: result ${failure}`);
  }
  if (operation.saveResultAsEntity) entities.set(operation.saveResultAsEntity, { kind: "result", value: result?.value });
}

function renderEvents(entities: EntityMap): string[] {
  return entities.clients().flatMap(([name, { events }]) =>
    events.map((e) => `${name} ${e.kind} ${e.databaseName}.${e.commandName} ${toExtendedJson(e.command ?? e.reply ?? { failure: e.failure })}`),
  );
}

/** Runs one test as "Executing a Test" describes: setup, operations, events, outcome, cleanup. */
export async function runTest(file: SpecFile, test: TestCase, server: ServerUnderTest): Promise<TestRun> {
  const entities = new EntityMap(server.uri, DEFAULT_URI_OPTIONS);
  let events: string[] = [];
  try {
    await setUpCollections(server.internal, file.initialData ?? []).catch((error: unknown) => {
      throw new AssertionFailure(`initialData: ${describeError(error)}`);
    });
    await entities.create(file.createEntities ?? []);
    for (const [index, operation] of test.operations.entries()) {
      await runOperation(operation, index, entities, server.internal);
    }
    events = renderEvents(entities);
    const context = matchContext(entities);
    for (const expected of test.expectEvents ?? []) {
      const failure = checkEvents(expected, entities.get(expected.client, "client").events, context);
      if (failure) throw new AssertionFailure(`events ${failure}`);
    }
    const failure = await checkOutcome(server.internal, test.outcome ?? []);
    if (failure) throw new AssertionFailure(failure);
    return { events };
  } catch (error) {
    if (events.length === 0) events = renderEvents(entities);
    const failure = error instanceof AssertionFailure ? error.message : `unexpected error ${describeError(error)}`;
    return { failure, events };
  } finally {
    await entities.close();
  }
}

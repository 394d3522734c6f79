import type { Document } from "bson";
import type { MongoClient } from "mongodb";
import type { EntityMap } from "../entities";
import type { Operation } from "../spec-files";
import { toDriverValue, toOperationArguments } from "./arguments";
import { collectionOperations, type OperationResult } from "./collection";
import { clientOperations, databaseOperations } from "./database";
import { testRunnerOperations } from "./test-runner";

export type { OperationResult } from "./collection";

function unsupported(operation: Operation, kind: string): Error {
  return new Error(`runner: unsupported operation ${operation.name} on ${kind} ${operation.object}`);
}

/**
 * Resolves an operation to a call of the driver, ready to run. Unsupported operations and bad
 * entity references throw here, before anything runs, so that they never pass for an error the
 * test expects from the server.
 */
export function findOperation(operation: Operation, entities: EntityMap, internal: MongoClient): () => Promise<OperationResult> {
  if (operation.object === "testRunner") {
    const special = testRunnerOperations[operation.name];
    if (!special) throw unsupported(operation, "the test runner");
    const args = toDriverValue(operation.arguments ?? {}) as Document;
    return () => special(args, { entities, internal });
  }
  const kind = entities.kindOf(operation.object);
  const args: Document = toOperationArguments(operation.arguments, (name) => entities.get(name, "session"));
  switch (kind) {
    case "collection": {
      const run = collectionOperations[operation.name];
      if (!run) throw unsupported(operation, kind);
      const collection = entities.get(operation.object, "collection");
      return () => run(collection, args);
    }
    case "database": {
      const run = databaseOperations[operation.name];
      if (!run) throw unsupported(operation, kind);
      const db = entities.get(operation.object, "database");
      return () => run(db, args);
    }
    case "client": {
      const run = clientOperations[operation.name];
      if (!run) throw unsupported(operation, kind);
      const { client } = entities.get(operation.object, "client");
      return () => run(client, args);
    }
    default:
      throw unsupported(operation, kind ?? "missing entity");
  }
}

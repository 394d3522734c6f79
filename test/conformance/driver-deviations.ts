import type { Document } from "bson";
import type { TestCase } from "./spec-files";

/**
 * Tests whose expectations the Node driver itself cannot meet, whatever the server: its own
 * unified runner skips them (the unimplementedCrudTests list of mongodb/node-mongodb-native).
 * Here they run in full; only the expectation the driver cannot meet is adjusted, and the totals
 * say so. Five expect a bypassDocumentValidation: false the driver omits (the engine's handling
 * of that field is tested with raw commands in test/embedded-mongo/bypass-validation.test.ts);
 * three expect no partialResult where the driver gives one of zeros. (The null _id deviation,
 * NODE-6468, is worked around instead: see keepNullIds in operations/collection.ts and
 * entityPkFactory in operations/client-bulk-write.ts.)
 */
const BYPASS_FALSE = "the Node driver omits bypassDocumentValidation: false from the command (NODE-6484, DRIVERS-2865)";
const EMPTY_PARTIAL_RESULT =
  "the Node driver gives a client bulk write error a partialResult of zeros where no write succeeded, instead of none (NODE-6384)";

/** The expected commands without the field the driver omits. */
function withoutCommandField(test: TestCase, field: string): TestCase {
  if (!test.expectEvents) return test;
  const expectEvents = test.expectEvents.map((forClient) => ({
    ...forClient,
    events: forClient.events.map((event: Document) => {
      const started = event.commandStartedEvent;
      if (!started?.command || !(field in started.command)) return event;
      const { [field]: _omitted, ...command } = started.command;
      return { ...event, commandStartedEvent: { ...started, command } };
    }),
  }));
  return { ...test, expectEvents };
}

/**
 * "partialResult unset" accepts instead the driver's partialResult that says nothing was
 * written: every count 0 and no per-operation result, so the assertion keeps its meaning.
 */
const NOTHING_WRITTEN = {
  $$unsetOrMatches: {
    insertedCount: 0,
    upsertedCount: 0,
    matchedCount: 0,
    modifiedCount: 0,
    deletedCount: 0,
    insertResults: { $$unsetOrMatches: {} },
    updateResults: { $$unsetOrMatches: {} },
    deleteResults: { $$unsetOrMatches: {} },
  },
};

function withEmptyPartialResult(test: TestCase): TestCase {
  const operations = test.operations.map((operation) =>
    operation.name === "clientBulkWrite" && operation.expectError?.expectResult !== undefined
      ? { ...operation, expectError: { ...operation.expectError, expectResult: NOTHING_WRITTEN } }
      : operation,
  );
  return { ...test, operations };
}

const DEVIATIONS: Record<string, { reason: string; adjust: (test: TestCase) => TestCase }> = Object.fromEntries([
  ...[
    "InsertMany passes bypassDocumentValidation: false",
    "FindOneAndUpdate passes bypassDocumentValidation: false",
    "FindOneAndReplace passes bypassDocumentValidation: false",
    "BulkWrite passes bypassDocumentValidation: false",
    "Aggregate with $out passes bypassDocumentValidation: false",
  ].map((test) => [test, { reason: BYPASS_FALSE, adjust: (t: TestCase) => withoutCommandField(t, "bypassDocumentValidation") }]),
  ...[
    "partialResult is unset when first operation fails during an ordered bulk write (verbose)",
    "partialResult is unset when first operation fails during an ordered bulk write (summary)",
    "partialResult is unset when all operations fail during an unordered bulk write",
  ].map((test) => [test, { reason: EMPTY_PARTIAL_RESULT, adjust: withEmptyPartialResult }]),
]);

/** Why this test's expectations were adjusted for the driver, if they were. */
export function driverDeviation(test: string): string | undefined {
  return DEVIATIONS[test]?.reason;
}

/** The test as the Node driver can pass it: only the expectation the driver cannot meet adjusted. */
export function adjustForDriver(test: TestCase): TestCase {
  const deviation = DEVIATIONS[test.description];
  return deviation ? deviation.adjust(test) : test;
}

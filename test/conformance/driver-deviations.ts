import type { Document } from "bson";
import type { TestCase } from "./spec-files";

/**
 * Tests whose expected command events the Node driver itself cannot produce, whatever the
 * server: its own unified runner skips them (the unimplementedCrudTests list of
 * mongodb/node-mongodb-native). Here they run in full; only the one field the driver omits is
 * taken out of the expected commands, and the totals say so. The engine's handling of that field
 * is tested with raw commands in test/embedded-mongo/bypass-validation.test.ts. (The null _id
 * deviation, NODE-6468, is worked around instead: see keepNullIds in operations/collection.ts.)
 */
const BYPASS_FALSE = "the Node driver omits bypassDocumentValidation: false from the command (NODE-6484, DRIVERS-2865)";

const DEVIATIONS: Record<string, { reason: string; omittedField: string }> = Object.fromEntries(
  [
    "InsertMany passes bypassDocumentValidation: false",
    "FindOneAndUpdate passes bypassDocumentValidation: false",
    "FindOneAndReplace passes bypassDocumentValidation: false",
    "BulkWrite passes bypassDocumentValidation: false",
    "Aggregate with $out passes bypassDocumentValidation: false",
  ].map((test) => [test, { reason: BYPASS_FALSE, omittedField: "bypassDocumentValidation" }]),
);

/** Why this test's expectations were adjusted for the driver, if they were. */
export function driverDeviation(test: string): string | undefined {
  return DEVIATIONS[test]?.reason;
}

/** The test as the Node driver can pass it: the omitted field removed from expected commands. */
export function adjustForDriver(test: TestCase): TestCase {
  const deviation = DEVIATIONS[test.description];
  if (!deviation || !test.expectEvents) return test;
  const expectEvents = test.expectEvents.map((forClient) => ({
    ...forClient,
    events: forClient.events.map((event: Document) => {
      const started = event.commandStartedEvent;
      if (!started?.command || !(deviation.omittedField in started.command)) return event;
      const { [deviation.omittedField]: _omitted, ...command } = started.command;
      return { ...event, commandStartedEvent: { ...started, command } };
    }),
  }));
  return { ...test, expectEvents };
}

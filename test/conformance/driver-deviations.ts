/**
 * Tests that the Node driver itself does not pass, whatever the server: its own unified runner
 * skips them (the unimplementedCrudTests list of mongodb/node-mongodb-native). They stay
 * failures here; the note only tells the reader that the engine is not the cause. (The null _id
 * deviation, NODE-6468, is worked around instead: see keepNullIds in operations/collection.ts.)
 */
const BYPASS_FALSE = "Node driver omits bypassDocumentValidation: false from the command (NODE-6484, DRIVERS-2865)";

const DEVIATIONS: Record<string, string> = {
  "InsertMany passes bypassDocumentValidation: false": BYPASS_FALSE,
  "FindOneAndUpdate passes bypassDocumentValidation: false": BYPASS_FALSE,
  "FindOneAndReplace passes bypassDocumentValidation: false": BYPASS_FALSE,
  "BulkWrite passes bypassDocumentValidation: false": BYPASS_FALSE,
  "Aggregate with $out passes bypassDocumentValidation: false": BYPASS_FALSE,
};

/** The failure reason, with the known driver cause appended when there is one. */
export function explainFailure(test: string, reason: string): string {
  const deviation = DEVIATIONS[test];
  return deviation ? `${reason} [driver, not engine: ${deviation}]` : reason;
}

import type { Document } from "bson";
import { commandError } from "../errors";
import { compileFilter } from "../query";
import type { Collection } from "../storage/collection";
import { validateCollection } from "../storage/validate";
import { boolOption, collectionName } from "./args";
import type { CommandContext, CommandTable } from "./context";

function validate(command: Document, ctx: CommandContext): Document {
  const name = collectionName(command, ctx);
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw commandError("NamespaceNotFound", `Collection '${ctx.db}.${name}' does not exist to validate.`);
  if (coll.isView) throw commandError("CommandNotSupportedOnView", "Cannot validate a view");
  if (boolOption(command, "repair", false)) throw commandError("InvalidOptions", "the embedded engine cannot repair a collection; validate reports what is wrong");
  const report = validateCollection(coll);
  const nonCompliant = countNonCompliant(coll);
  return {
    ns: coll.ns,
    nInvalidDocuments: report.corruptRecords.length,
    nNonCompliantDocuments: nonCompliant,
    nrecords: report.nrecords,
    nIndexes: Object.keys(report.keysPerIndex).length,
    keysPerIndex: report.keysPerIndex,
    indexDetails: report.indexDetails,
    valid: report.errors.length === 0,
    repaired: false,
    // As on mongod, documents the validator would now refuse are a warning, not an invalid collection.
    warnings: nonCompliant > 0 ? ["Detected one or more documents in this collection not conformant to the schema. For more info, see logs with log id 5363500."] : [],
    errors: report.errors,
    extraIndexEntries: report.extraIndexEntries,
    missingIndexEntries: report.missingIndexEntries,
    corruptRecords: report.corruptRecords,
    ok: 1,
  };
}

/** Documents stored before the validator (or under validationLevel moderate/off) that it would refuse. */
function countNonCompliant(coll: Collection): number {
  const validator = coll.options.validator as Document | undefined;
  if (!validator || Object.keys(validator).length === 0) return 0;
  const matches = compileFilter(validator);
  let count = 0;
  for (const doc of coll.docs.values()) if (!matches(doc)) count++;
  return count;
}

export const validateCommands: CommandTable = { validate };

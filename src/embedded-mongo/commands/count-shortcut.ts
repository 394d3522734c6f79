import type { Document } from "bson";

/**
 * The pipeline the driver's countDocuments sends after its $match: optional $skip and $limit,
 * then `{ $group: { _id: <constant>, n: { $sum: 1 } } }`. Answered from the number of matches, so
 * counting a large collection copies no documents. Undefined when the stages are anything else.
 */
export function countShortcut(stages: Document[], matched: number): Document[] | undefined {
  let i = 0;
  let skip = 0;
  let limit = Infinity;
  if (typeof stages[i]?.$skip === "number") skip = stages[i++].$skip;
  if (typeof stages[i]?.$limit === "number") limit = stages[i++].$limit;
  if (i !== stages.length - 1 || Object.keys(stages[i]).length !== 1) return undefined;
  const group = stages[i].$group as Document | undefined;
  if (!group || typeof group !== "object" || !isConstant(group._id)) return undefined;
  const outputs = Object.keys(group).filter((key) => key !== "_id");
  if (outputs.length !== 1) return undefined;
  const accumulator = group[outputs[0]] as Document | undefined;
  if (!accumulator || Object.keys(accumulator).length !== 1 || accumulator.$sum !== 1) return undefined;
  const n = Math.max(0, Math.min(matched - skip, limit));
  return n === 0 ? [] : [{ _id: group._id, [outputs[0]]: n }];
}

function isConstant(value: unknown): boolean {
  return value === null || typeof value === "number" || typeof value === "boolean" || (typeof value === "string" && !value.startsWith("$"));
}

import type { Model, PipelineStage } from "mongoose";

/** How many documents hold each value of `field` (one grouped count), optionally among those matching `match`. */
// Typegoose models differ in their document type, so any model is taken.
export async function countBy(model: Model<any>, field: string, match?: PipelineStage.Match["$match"]): Promise<Map<string, number>> {
  const rows = await model
    .aggregate<{ _id: string; count: number }>([...(match ? [{ $match: match }] : []), { $group: { _id: `$${field}`, count: { $sum: 1 } } }])
    .exec();
  return new Map(rows.map((row) => [String(row._id), row.count]));
}

import { AiUsageModel } from "./ai-usage.model";

export interface AiUsageTotal {
  provider: string;
  purpose: string;
  calls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
}

/** Calls, failures and tokens per provider and purpose over `[since, until)`, for admin statistics. */
export async function aiUsageTotals(period: { since?: Date; until?: Date } = {}): Promise<AiUsageTotal[]> {
  const created: Record<string, Date> = {};
  if (period.since) created.$gte = period.since;
  if (period.until) created.$lt = period.until;
  const rows = await AiUsageModel.aggregate<{ _id: { provider: string; purpose: string } } & Omit<AiUsageTotal, "provider" | "purpose">>([
    { $match: Object.keys(created).length > 0 ? { created_at: created } : {} },
    {
      $group: {
        _id: { provider: "$provider", purpose: "$purpose" },
        calls: { $sum: 1 },
        errors: { $sum: { $cond: [{ $eq: ["$outcome", "error"] }, 1, 0] } },
        inputTokens: { $sum: { $ifNull: ["$input_tokens", 0] } },
        outputTokens: { $sum: { $ifNull: ["$output_tokens", 0] } },
      },
    },
    { $sort: { "_id.provider": 1, "_id.purpose": 1 } },
  ]);
  return rows.map(({ _id, ...totals }) => ({ ..._id, ...totals }));
}

/** A deleted account's model calls stay in the totals without naming it. */
export async function forgetAiUsageOf(userId: string): Promise<void> {
  await AiUsageModel.updateMany({ user_id: userId }, { $unset: { user_id: 1 } }).exec();
}

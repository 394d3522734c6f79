import type { ErrorCode } from "../../../lib/errors";
import type { AiProviderName, AiPurpose, TokenUsage } from "../provider";

export type AiCallOutcome = "ok" | "error" | "cancelled";

/** One model call, as admins read it back in totals. */
export interface AiUsageEntry extends TokenUsage {
  provider: AiProviderName;
  model: string;
  purpose: AiPurpose;
  latencyMs: number;
  outcome: AiCallOutcome;
  /** The error code the caller received, when the call failed. */
  errorCode?: ErrorCode;
  userId?: string;
}

/** Where providers report each call. Recording never fails or slows the call it describes. */
export interface AiUsageRecorder {
  record(entry: AiUsageEntry): void;
}

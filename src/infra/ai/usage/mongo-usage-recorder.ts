import type { Logger } from "../../../lib/logger";
import { AiUsageModel } from "./ai-usage.model";
import type { AiUsageEntry, AiUsageRecorder } from "./usage-recorder";

/** Writes each call to `ai_usage` in the background; a failed write is logged, never thrown. */
export class MongoUsageRecorder implements AiUsageRecorder {
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  record(entry: AiUsageEntry): void {
    const write = AiUsageModel.create({
      provider: entry.provider,
      model: entry.model,
      purpose: entry.purpose,
      input_tokens: entry.inputTokens,
      output_tokens: entry.outputTokens,
      latency_ms: entry.latencyMs,
      outcome: entry.outcome,
      error_code: entry.errorCode,
      user_id: entry.userId,
    })
      .catch((error: Error) => this.log.warn({ err: error.message, usage: entry }, "ai usage: could not record a call"))
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Waits for the writes in flight, so a shutdown does not lose the last calls. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

import { GraphQLError } from "graphql";
import type { ErrorCode } from "../../../lib/errors";
import type { AiProviderName, AiPurpose, CallOptions, TokenUsage } from "../provider";
import type { AiUsageRecorder } from "./usage-recorder";

export interface MeterTarget {
  provider: AiProviderName;
  model: string;
  purpose: AiPurpose;
}

/** Times one call from now and records it once, with its outcome, when it first ends. */
export class UsageMeter {
  private readonly started = performance.now();
  private done = false;

  constructor(
    private readonly recorder: AiUsageRecorder,
    private readonly target: MeterTarget,
    private readonly options: CallOptions,
  ) {}

  succeeded(usage: TokenUsage): void {
    this.finish({ outcome: "ok", ...usage });
  }

  /** Aborted calls count as cancelled, not as failures of the service. */
  failed(error: unknown, usage: TokenUsage = {}): void {
    if (this.options.signal?.aborted) {
      this.finish({ outcome: "cancelled", ...usage });
      return;
    }
    const code = error instanceof GraphQLError ? (error.extensions.code as ErrorCode | undefined) : undefined;
    this.finish({ outcome: "error", errorCode: code ?? "INTERNAL_SERVER_ERROR", ...usage });
  }

  /** The consumer stopped reading a stream: cancelled, unless the call already ended otherwise. */
  stopped(usage: TokenUsage = {}): void {
    this.finish({ outcome: "cancelled", ...usage });
  }

  private finish(result: { outcome: "ok" | "error" | "cancelled"; errorCode?: ErrorCode } & TokenUsage): void {
    if (this.done) return;
    this.done = true;
    this.recorder.record({
      ...this.target,
      ...result,
      latencyMs: Math.round(performance.now() - this.started),
      userId: this.options.userId,
    });
  }
}

/** Runs `call` under a meter: its usage is recorded on success, its error on failure. */
export async function metered<T extends { usage: TokenUsage }>(
  recorder: AiUsageRecorder,
  target: MeterTarget,
  options: CallOptions,
  call: () => Promise<T>,
): Promise<T> {
  const meter = new UsageMeter(recorder, target, options);
  try {
    const result = await call();
    meter.succeeded(result.usage);
    return result;
  } catch (error) {
    meter.failed(error);
    throw error;
  }
}

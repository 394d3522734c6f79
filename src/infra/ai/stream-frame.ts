import { fail, failEmpty, streamFailure, unavailable, type ClassifyError } from "./failures";
import type { CallOptions, TextStream, TokenUsage } from "./provider";
import type { ProviderDeps } from "./provider-deps";
import { withRetries, type RetryPolicy } from "./retry";
import { textStream, type UsageSlot } from "./text-stream";
import { UsageMeter, type MeterTarget } from "./usage/meter";

/** How a provider calls its service: the frame retries, reads failures, logs and records usage with these. */
export interface StreamDeps extends ProviderDeps {
  retry: RetryPolicy;
  classify: ClassifyError;
}

/** Runs one SDK request under the provider's retries; `signal` also ends it when the stream is stopped. */
export type Retried = <T>(request: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** What a streamed answer depends on the SDK for; `streamAnswer` does the rest. */
export interface StreamSource<Chunk> {
  /** Starts the stream, its request sent through `retried`. */
  open(retried: Retried): Promise<AsyncIterable<Chunk>>;
  /** The token counts a chunk carries, if any. Read before `read`, so that a blocked chunk's usage is still recorded. */
  usage(chunk: Chunk): TokenUsage | undefined;
  /** A chunk's text, and whether it says the answer is complete; throws when the service withheld the answer. */
  read(chunk: Chunk): { text?: string; finished?: boolean };
  /** Text `read` held back (it could not tell yet whether to show it), given when the stream has ended. */
  rest?(): string;
  /** A stream that ends without a chunk saying the answer is complete was cut off: it fails as INCOMPLETE. */
  requireFinish?: boolean;
}

/**
 * A provider's streamed answer: text deltas as they arrive, the request aborted when the caller's
 * signal aborts, the consumer stops reading or no chunk comes for the per-call timeout; failures
 * classified as `streamFailure` says, and the call's usage recorded once, however it ends.
 */
export function streamAnswer<Chunk>(deps: StreamDeps, target: MeterTarget, options: CallOptions, source: StreamSource<Chunk>): TextStream {
  return textStream({ provider: target.provider, model: target.model }, (slot) => deltas(deps, target, options, source, slot));
}

async function* deltas<Chunk>(
  deps: StreamDeps,
  target: MeterTarget,
  options: CallOptions,
  source: StreamSource<Chunk>,
  slot: UsageSlot,
): AsyncGenerator<string> {
  const meter = new UsageMeter(deps.recorder, target, options);
  // Aborted when the consumer stops reading or the stream goes quiet for too long.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  let idle: NodeJS.Timeout | undefined;
  let usage: TokenUsage = {};
  let wrote = false;
  let finished = false;
  try {
    const chunks = await source.open((request) =>
      withRetries(deps.retry, deps.classify, deps.log, options.signal, (attemptSignal) => request(AbortSignal.any([attemptSignal, stop.signal]))),
    );
    const iterator = chunks[Symbol.asyncIterator]();
    for (;;) {
      idle = setTimeout(() => stop.abort(), deps.retry.timeoutMs);
      // Gemini's SDK fails an aborted read, OpenAI's ends the stream quietly: either way the abort is the failure.
      const next = await iterator.next().catch((error: unknown) => {
        signal.throwIfAborted();
        throw error;
      });
      clearTimeout(idle);
      signal.throwIfAborted();
      if (next.done) break;
      const chunkUsage = source.usage(next.value);
      if (chunkUsage) usage = slot.usage = chunkUsage;
      const chunk = source.read(next.value);
      if (chunk.finished) finished = true;
      if (chunk.text) {
        wrote = true;
        yield chunk.text;
      }
    }
    const rest = source.rest?.();
    if (rest) {
      wrote = true;
      yield rest;
    }
    if (!wrote) failEmpty(target.provider);
    if (source.requireFinish && !finished) {
      fail(unavailable(target.provider, "The AI service stopped in the middle of its answer", { reason: "INCOMPLETE" }));
    }
    meter.succeeded(usage);
  } catch (error) {
    const failure = streamFailure(error, { callerSignal: options.signal, idle: stop.signal, wrote, classify: deps.classify });
    meter.failed(failure, usage);
    throw failure;
  } finally {
    clearTimeout(idle);
    stop.abort();
    meter.stopped(usage);
  }
}

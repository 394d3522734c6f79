import type { AiProviderName, TextStream, TokenUsage } from "./provider";

/** Where a provider's stream generator leaves the usage it learns, for `TextStream.usage`. */
export interface UsageSlot {
  usage: TokenUsage;
}

/** Wraps a provider's delta generator as a TextStream reporting the usage it records in `slot`. */
export function textStream(
  source: { provider: AiProviderName; model: string },
  produce: (slot: UsageSlot) => AsyncGenerator<string>,
): TextStream {
  const slot: UsageSlot = { usage: {} };
  const deltas = produce(slot);
  return {
    provider: source.provider,
    model: source.model,
    get usage() {
      return slot.usage;
    },
    [Symbol.asyncIterator]: () => deltas,
  };
}

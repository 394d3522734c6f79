import type { Config } from "../../config";
import { GeminiProvider } from "./gemini/gemini-provider";
import { OfflineProvider } from "./offline/offline-provider";
import { OpenAiProvider } from "./openai/openai-provider";
import type { AiProvider } from "./provider";
import type { ProviderDeps } from "./provider-deps";

export type * from "./provider";
export * from "./prompts";
export * from "./schemas";
export { MongoUsageRecorder } from "./usage/mongo-usage-recorder";
export { warnIfOfflineInProduction } from "./offline-in-production";
export { aiUsageTotals, forgetAiUsageOf, type AiUsageTotal } from "./usage/usage-totals";
export type { AiUsageEntry, AiUsageRecorder, AiCallOutcome } from "./usage/usage-recorder";

/**
 * The provider the configuration selects: AI_PROVIDER's, else Gemini with a key and the offline
 * provider otherwise.
 */
export function createAiProvider(config: Config["ai"], deps: ProviderDeps): AiProvider {
  const retry = {
    maxRetries: config.maxRetries,
    baseDelayMs: config.retryBaseDelayMs,
    maxDelayMs: config.retryMaxDelayMs,
    timeoutMs: config.timeoutMs,
  };
  switch (config.provider) {
    case "offline":
      return new OfflineProvider(
        { dimensions: config.embeddingDimensions, embeddingModel: config.offlineEmbeddingModel, streamDelayMs: config.offlineStreamDelayMs },
        deps.recorder,
      );
    case "openai":
      return new OpenAiProvider({ ...config.openai, retry }, deps);
    case "gemini":
      if (!config.googleApiKey) throw new Error("the gemini AI provider needs GOOGLE_API_KEY");
      return new GeminiProvider(
        {
          apiKey: config.googleApiKey,
          model: config.geminiModel,
          embeddingModel: config.geminiEmbeddingModel,
          dimensions: config.embeddingDimensions,
          baseUrl: config.geminiBaseUrl,
          retry,
        },
        deps,
      );
  }
}

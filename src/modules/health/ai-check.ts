import type { AiProvider } from "../../infra/ai";
import type { CheckResult } from "./health.service";

/**
 * The `ai_service` check: which provider is active and whether it answers (HealthService caches it),
 * with the start-up `warning` about it, if there was one.
 */
export function aiHealthCheck(ai: AiProvider, warning?: string): () => Promise<CheckResult> {
  return async () => ({ ...(await ai.check()), ...(warning ? { warning } : {}) });
}

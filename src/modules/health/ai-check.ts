import type { AiProvider } from "../../infra/ai";
import type { CheckResult } from "./health.service";

/** The `ai_service` check: which provider is active and whether it answers (HealthService caches it). */
export function aiHealthCheck(ai: AiProvider): () => Promise<CheckResult> {
  return async () => ({ ...(await ai.check()) });
}

import type { Config } from "../../config";
import type { Logger } from "../../lib/logger";

/**
 * Production without a Gemini key still starts (a fresh `docker compose up` must work), but not
 * silently: the offline provider's outlines, quizzes and answers are mechanical, and an operator
 * who forgot GOOGLE_API_KEY must see it in the start-up log and on /health/detailed.
 * Returns the warning, or nothing when there is nothing to warn about.
 */
export function warnIfOfflineInProduction(config: Config, log: Logger): string | undefined {
  if (!config.isProduction || config.ai.provider !== "offline") return undefined;
  const warning =
    "production is running the offline AI provider (no GOOGLE_API_KEY): generated courses, quizzes and tutor " +
    "answers are simple text heuristics; set GOOGLE_API_KEY to use Gemini";
  log.warn({ provider: "offline" }, `ai: ${warning}`);
  return warning;
}

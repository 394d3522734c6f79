import type { CheckResult } from "./health.service";

/**
 * Stands in until the AI providers land (issue 5), which replace it with a check of the
 * configured provider; today every request uses the offline provider, which is always up.
 */
export async function checkAiService(): Promise<CheckResult> {
  return { status: "healthy", provider: "offline" };
}

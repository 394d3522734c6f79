import type { Logger } from "../../lib/logger";
import type { AiUsageRecorder } from "./usage/usage-recorder";

/** What a remote provider is given: where it logs, and where the usage of its calls is recorded. */
export interface ProviderDeps {
  log: Logger;
  recorder: AiUsageRecorder;
}

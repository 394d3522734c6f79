import { warnIfOfflineInProduction } from "../../infra/ai";
import type { AppModule } from "../app-module";
import { aiHealthCheck } from "./ai-check";
import { HealthResolver } from "./health.resolver";
import { healthRoutes } from "./health.rest";
import { HealthService } from "./health.service";

/** Liveness and dependency checks: `/health`, `/health/detailed` and the `health` query. */
export const healthModule: AppModule<{ health: HealthService }> = {
  name: "health",
  resolvers: [HealthResolver],
  create({ config, log, database, pubSub, ai }) {
    const aiWarning = warnIfOfflineInProduction(config, log);
    const health = new HealthService({ database, pubSub, checkAi: aiHealthCheck(ai, aiWarning) });
    return { services: { health }, probes: healthRoutes(health) };
  },
};

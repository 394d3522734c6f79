import { Router } from "express";
import type { HealthService } from "./health.service";

/** `GET /health` (liveness) and `GET /health/detailed` (503 when the database is down), as in the seed. */
export function healthRoutes(health: HealthService): Router {
  const router = Router();
  router.get("/health", (_req, res) => {
    res.json(health.liveness());
  });
  router.get("/health/detailed", async (_req, res) => {
    const report = await health.report();
    res.status(report.status === "unhealthy" ? 503 : 200).json(report);
  });
  return router;
}

import { Router } from "express";
import type { CheckStatus, HealthReport, HealthService } from "./health.service";

type CheckName = keyof HealthReport["checks"];

/**
 * `/health/detailed` as the seed answered it, which its clients read (`checks.database ===
 * "healthy"`): one status string per check. What else a check found (database kind, latency,
 * AI provider, error) goes under `details`, keyed the same way.
 */
export interface DetailedHealth {
  status: HealthReport["status"];
  checks: Record<CheckName, CheckStatus>;
  details: Partial<Record<CheckName, Record<string, unknown>>>;
  timestamp: string;
}

function detailedHealth(report: HealthReport): DetailedHealth {
  const checks = {} as DetailedHealth["checks"];
  const details: DetailedHealth["details"] = {};
  for (const [name, { status, ...found }] of Object.entries(report.checks) as [CheckName, HealthReport["checks"][CheckName]][]) {
    checks[name] = status;
    if (Object.keys(found).length > 0) details[name] = found;
  }
  return { status: report.status, checks, details, timestamp: report.timestamp };
}

/** `GET /health` (liveness) and `GET /health/detailed` (503 when the database is down), as in the seed. */
export function healthRoutes(health: HealthService): Router {
  const router = Router();
  router.get("/health", (_req, res) => {
    res.json(health.liveness());
  });
  router.get("/health/detailed", async (_req, res) => {
    const report = await health.report();
    res.status(report.status === "unhealthy" ? 503 : 200).json(detailedHealth(report));
  });
  return router;
}

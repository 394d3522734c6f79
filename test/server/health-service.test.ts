import { createPubSub } from "../../src/infra/pubsub";
import type { Database } from "../../src/infra/db";
import { HealthService, type CheckResult } from "../../src/modules/health/health.service";

function database(status: "healthy" | "unhealthy"): Database {
  return { kind: "mongodb", check: async () => ({ status, kind: "mongodb" }), close: async () => undefined };
}

it("reuses the AI check for a while, so health probes spend no tokens", async () => {
  let calls = 0;
  const checkAi = async (): Promise<CheckResult> => ({ status: "healthy", call: ++calls });
  const health = new HealthService({ database: database("healthy"), pubSub: createPubSub(), checkAi, aiCacheMs: 60_000 });
  await health.report();
  await health.report();
  expect(calls).toBe(1);
});

it("checks the AI service again once the cached result expires", async () => {
  let calls = 0;
  const checkAi = async (): Promise<CheckResult> => ({ status: "healthy", call: ++calls });
  const health = new HealthService({ database: database("healthy"), pubSub: createPubSub(), checkAi, aiCacheMs: 0 });
  await health.report();
  await health.report();
  expect(calls).toBe(2);
});

it("is unhealthy without the database and degraded without the AI service", async () => {
  const down = async (): Promise<CheckResult> => {
    throw new Error("quota exceeded");
  };
  const up = async (): Promise<CheckResult> => ({ status: "healthy" });
  const pubSub = createPubSub();
  expect((await new HealthService({ database: database("unhealthy"), pubSub, checkAi: up }).report()).status).toBe("unhealthy");
  const degraded = await new HealthService({ database: database("healthy"), pubSub, checkAi: down }).report();
  expect(degraded.status).toBe("degraded");
  expect(degraded.checks.ai_service).toEqual({ status: "unhealthy", error: "quota exceeded" });
});

import type { Database } from "../../infra/db";
import type { AppPubSub } from "../../infra/pubsub";

export type CheckStatus = "healthy" | "unhealthy";

export interface CheckResult {
  status: CheckStatus;
  /** Details for operators: latency, provider, error message, ... */
  [detail: string]: unknown;
}

export interface HealthReport {
  /** `unhealthy` when the database is down, `degraded` when only the AI service is. */
  status: "healthy" | "degraded" | "unhealthy";
  checks: { api: CheckResult; database: CheckResult; ai_service: CheckResult };
  timestamp: string;
}

export interface HealthServiceDeps {
  database: Database;
  pubSub: AppPubSub;
  checkAi: () => Promise<CheckResult>;
  /** How long an AI check result is reused: a real check may spend tokens. */
  aiCacheMs?: number;
}

const DEFAULT_AI_CACHE_MS = 30_000;

export class HealthService {
  private aiCheck?: { result: Promise<CheckResult>; expiresAt: number };

  constructor(private readonly deps: HealthServiceDeps) {}

  /** Liveness: the process answers. */
  liveness(): { status: "healthy"; timestamp: string } {
    return { status: "healthy", timestamp: new Date().toISOString() };
  }

  /** Readiness: the process and what it depends on. */
  async report(): Promise<HealthReport> {
    const [database, aiService] = await Promise.all([this.deps.database.check(), this.checkAiCached()]);
    const status =
      database.status === "unhealthy" ? "unhealthy" : aiService.status === "unhealthy" ? "degraded" : "healthy";
    return {
      status,
      checks: { api: { status: "healthy" }, database: { ...database }, ai_service: aiService },
      timestamp: new Date().toISOString(),
    };
  }

  /** Sends a ping to the subscribers of `channel`: a round trip check for realtime clients. */
  ping(channel: string, message: string): PingPayload {
    const payload = { channel, message, sentAt: new Date() };
    this.deps.pubSub.publish("HEALTH_PING", channel, payload);
    return payload;
  }

  private checkAiCached(): Promise<CheckResult> {
    const now = Date.now();
    if (!this.aiCheck || this.aiCheck.expiresAt <= now) {
      const result = this.deps.checkAi().catch((error: Error): CheckResult => ({ status: "unhealthy", error: error.message }));
      this.aiCheck = { result, expiresAt: now + (this.deps.aiCacheMs ?? DEFAULT_AI_CACHE_MS) };
    }
    return this.aiCheck.result;
  }
}

export interface PingPayload {
  channel: string;
  message: string;
  sentAt: Date;
}

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /** Pings of the realtime check, by channel. */
    HEALTH_PING: [channel: string, payload: PingPayload];
  }
}

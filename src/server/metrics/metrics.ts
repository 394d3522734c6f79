import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { AiUsageEntry, AiUsageRecorder } from "../../infra/ai";

/** Seconds; from a cache hit to a slow model answer. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

/**
 * Everything `GET /metrics` shows, in a registry of its own (not prom-client's global one), so
 * several servers in one process (the tests) never share or collide.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP requests by method, route and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly graphqlOperationDuration = new Histogram({
    name: "graphql_operation_duration_seconds",
    help: "GraphQL operations by operation name and type, over HTTP and websockets",
    labelNames: ["operation", "type", "transport"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly graphqlErrors = new Counter({
    name: "graphql_errors_total",
    help: "Errors sent to GraphQL clients, by extensions.code",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  readonly responseCache = new Counter({
    name: "graphql_response_cache_total",
    help: "GraphQL answers looked up in the response cache (hit, miss), kept (stored) and dropped by a write (invalidated)",
    labelNames: ["outcome"] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: "http_rate_limited_total",
    help: "Requests refused by the global rate limit",
    registers: [this.registry],
  });

  readonly aiCalls = new Counter({
    name: "ai_calls_total",
    help: "Model calls by provider, purpose and outcome",
    labelNames: ["provider", "purpose", "outcome"] as const,
    registers: [this.registry],
  });

  readonly aiCallDuration = new Histogram({
    name: "ai_call_duration_seconds",
    help: "Model call latency by provider, purpose and outcome",
    labelNames: ["provider", "purpose", "outcome"] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly dbRoundTrip = new Histogram({
    name: "db_round_trip_seconds",
    help: "MongoDB commands, each from its connection's check-out to its check-in",
    buckets: DB_BUCKETS,
    registers: [this.registry],
  });

  /** Only with DB_COMMAND_MONITORING=true. */
  readonly dbCommandDuration = new Histogram({
    name: "db_command_duration_seconds",
    help: "MongoDB commands by command name and outcome (DB_COMMAND_MONITORING)",
    labelNames: ["command", "outcome"] as const,
    buckets: DB_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge read when scraped, e.g. open websockets or jobs by state. */
  gauge<L extends string>(name: string, help: string, labelNames: readonly L[], read: (gauge: Gauge<L>) => Promise<void> | void): void {
    new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await read(this);
      },
    });
  }

  /** Passes every AI call on to `inner` (the usage ledger) and counts it here. */
  aiRecorder(inner: AiUsageRecorder): AiUsageRecorder {
    return {
      record: (entry: AiUsageEntry) => {
        inner.record(entry);
        const labels = { provider: entry.provider, purpose: entry.purpose, outcome: entry.outcome };
        this.aiCalls.inc(labels);
        this.aiCallDuration.observe(labels, entry.latencyMs / 1000);
      },
    };
  }
}

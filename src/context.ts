import type { Logger } from "./lib/logger";
import type { HealthService } from "./modules/health/health.service";

/** Long-lived services, created once per process by `createServer`. */
export interface Services {
  health: HealthService;
}

/** What every resolver receives, over HTTP and websockets alike. */
export interface Context {
  /** Echoed in `x-request-id` and in masked errors, so a user's report leads to the log line. */
  requestId: string;
  /** Logger bound to this request's id. */
  log: Logger;
  /** The `Authorization` header (HTTP) or connection parameter (websockets), verbatim. */
  authorization?: string;
  services: Services;
}

export interface ContextSource {
  requestId: string;
  authorization?: string;
}

/** One context per HTTP request or per subscription; anything cached on it dies with it. */
export function buildContext(app: { log: Logger; services: Services }, source: ContextSource): Context {
  return {
    requestId: source.requestId,
    log: app.log.child({ requestId: source.requestId }),
    authorization: source.authorization,
    services: app.services,
  };
}

/** `authorization` or `Authorization` from graphql-ws connection parameters. */
export function authorizationFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
}

import type { AiProvider } from "./infra/ai";
import type { Logger } from "./lib/logger";
import type { AdminService } from "./modules/admin/admin.service";
import type { AuthService, Viewer } from "./modules/auth/auth.service";
import type { ChatService } from "./modules/chat/chat.service";
import type { CourseServices } from "./modules/courses/courses.module";
import type { LearningServices } from "./modules/dashboard/learning.module";
import type { HealthService } from "./modules/health/health.service";
import type { UploadServices } from "./modules/uploads/uploads.module";
import type { UserService } from "./modules/users/user.service";

/** Long-lived services, created once per process by `createServer`. */
export interface Services extends CourseServices, UploadServices, LearningServices {
  /** The configured language model (Gemini or offline); every AI feature goes through it. */
  ai: AiProvider;
  health: HealthService;
  users: UserService;
  auth: AuthService;
  admin: AdminService;
  chat: ChatService;
}

/** What every resolver receives, over HTTP and websockets alike. */
export interface Context {
  /** Echoed in `x-request-id` and in masked errors, so a user's report leads to the log line. */
  requestId: string;
  /** Logger bound to this request's id. */
  log: Logger;
  /** The `Authorization` header (HTTP) or connection parameter (websockets), verbatim. */
  authorization?: string;
  /** The client's address, for per-IP sign-in throttling. */
  clientIp?: string;
  /** The signed-in user, looked up once per context; null without a valid token of an active user. */
  viewer(): Promise<Viewer | null>;
  services: Services;
}

export interface ContextSource {
  requestId: string;
  authorization?: string;
  clientIp?: string;
}

/** One context per HTTP request or per subscription; anything cached on it dies with it. */
export function buildContext(app: { log: Logger; services: Services }, source: ContextSource): Context {
  let viewer: Promise<Viewer | null> | undefined;
  return {
    requestId: source.requestId,
    log: app.log.child({ requestId: source.requestId }),
    authorization: source.authorization,
    clientIp: source.clientIp,
    viewer: () => (viewer ??= app.services.auth.authenticate(source.authorization)),
    services: app.services,
  };
}

/** `authorization` or `Authorization` from graphql-ws connection parameters. */
export function authorizationFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
}

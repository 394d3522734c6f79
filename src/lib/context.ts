import type { HasViewer, Viewer } from "./identity";
import type { Loaders } from "./loaders";
import type { Logger } from "./logger";

/**
 * Every module's long-lived services by name. Empty here: `src/server/modules.ts` derives it
 * from the module list (declaration merging), so lib/ knows no domain and adding one is one line.
 */
export interface Services {}

/** What every resolver receives, over HTTP and websockets alike. */
export interface Context extends HasViewer {
  /** Echoed in `x-request-id` and in masked errors, so a user's report leads to the log line. */
  requestId: string;
  /** Logger bound to this request's id. */
  log: Logger;
  /** The `Authorization` header (HTTP) or connection parameter (websockets), verbatim. */
  authorization?: string;
  /** The client's address, for per-IP sign-in throttling. */
  clientIp?: string;
  /** `scheme://host[:port]` the request was sent to (HTTP only), for links in mail when PUBLIC_URL is unset. */
  origin?: string;
  /** The signed-in user, looked up once per context; null without a valid token of an active user. */
  viewer(): Promise<Viewer | null>;
  /** The viewer once `viewer()` has answered (null: none); undefined before: for fields that answer at once when they can. */
  viewerNow(): Viewer | null | undefined;
  /** This execution's DataLoaders: per HTTP request, and per event of a subscription. */
  loaders: Loaders;
  services: Services;
}

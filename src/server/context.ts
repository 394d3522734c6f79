import type { Context, Services } from "../lib/context";
import type { Viewer } from "../lib/identity";
import { Loaders } from "../lib/loaders";
import type { Logger } from "../lib/logger";

export interface ContextSource {
  requestId: string;
  authorization?: string;
  clientIp?: string;
  origin?: string;
  /** The viewer already found for this request's token (a multipart request is checked before its body is read). */
  viewer?: Promise<Viewer | null>;
}

/** One context per HTTP request or per subscription; anything cached on it dies with it. */
export function buildContext(app: { log: Logger; services: Services }, source: ContextSource): Context {
  let known: Viewer | null | undefined;
  const remember = (found: Viewer | null) => (known = found);
  let viewer: Promise<Viewer | null> | undefined = source.viewer?.then(remember);
  let log: Logger | undefined;
  return {
    requestId: source.requestId,
    // Made when first used: most requests log nothing of their own.
    get log() {
      return (log ??= app.log.child({ requestId: source.requestId }));
    },
    authorization: source.authorization,
    clientIp: source.clientIp,
    origin: source.origin,
    viewer: () => (viewer ??= app.services.auth.authenticate(source.authorization).then(remember)),
    viewerNow: () => known,
    loaders: new Loaders(),
    services: app.services,
  };
}

/** The same request's context for one more execution (a subscription's event): fresh loaders, the same viewer. */
export function forNextExecution(context: Context): Context {
  return { ...context, loaders: new Loaders() };
}

/** `authorization` or `Authorization` from graphql-ws connection parameters. */
export function authorizationFromParams(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = params?.authorization ?? params?.Authorization;
  return typeof value === "string" ? value : undefined;
}

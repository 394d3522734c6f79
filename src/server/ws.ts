import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import { GraphQLError, getOperationAST, type GraphQLFormattedError, type GraphQLSchema } from "graphql";
import type { Context as SocketContext } from "graphql-ws";
import { useServer, type Extra } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Config } from "../config";
import { ErrorCode } from "../lib/errors";
import type { Logger } from "../lib/logger";
import { formatError, logUnexpected, withRequestId } from "./errors";
import type { GraphQLMetrics } from "./metrics/graphql";
import { checkOperation, queryLimitsOf, queryRules, withoutSuggestion } from "./security/query-limits";
import { SocketLimits } from "./security/socket-limits";
import { PendingSockets } from "./security/ws-pending";
import { MAX_VARIABLE_DEPTH, variablesTooDeep } from "./security/variables-depth";
import { rateLimited, type RateLimit } from "./security/rate-limit";
import { jsonSizeUpTo, responseTooLarge } from "./security/response-size";
import { subscribePerEvent } from "./per-event";
import { introspectionRules } from "./security/introspection";
import type { Context, Services } from "../lib/context";
import type { AppPubSub } from "../infra/pubsub";
import type { SessionRevocation } from "../modules/auth/token.service";
import { authorizationFromParams, buildContext } from "./context";

export interface WebSocketDeps {
  httpServer: Server;
  schema: GraphQLSchema;
  log: Logger;
  services: Services;
  /** Query limits (the HTTP path's: Apollo's plugins do not see websockets) and socket limits. */
  config: Config;
  metrics: GraphQLMetrics;
  /** The HTTP path's per-client request limit; each operation over a websocket counts as one request. */
  rateLimit: RateLimit;
  /** Where revoked sessions are announced (from any instance, with Redis). */
  pubSub: AppPubSub;
  /** The client's address as `TRUST_PROXY` sees it: what Express gives HTTP requests as `req.ip`. */
  clientIp: (request: IncomingMessage) => string;
}

/** A 4xxx close code graphql-ws clients read as "sign in again". */
const SESSION_ENDED = 4401;

/**
 * graphql-ws on the HTTP server's port and `/graphql` path. Returns the function that closes
 * every socket with 1001 (going away) and stops the websocket server.
 */
export function attachWebSockets(deps: WebSocketDeps): () => Promise<void> {
  const { httpServer, schema, log, services, config, metrics, rateLimit, pubSub, clientIp } = deps;
  const settings = config.websockets;
  const queryLimits = queryLimitsOf(config);
  // The same rules as over HTTP: this path validates on its own.
  const rules = [...queryRules(queryLimits), ...introspectionRules(config.graphql.introspection)];
  // A larger frame closes that socket alone (1009), before any of it is parsed.
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: settings.maxMessageBytes });
  const limits = new SocketLimits(settings);
  const pendingSockets = new PendingSockets(settings, log);
  const started = new WeakMap<SocketContext, Map<string, number>>();
  // The client a socket was admitted as, the same key the HTTP rate limit counts under.
  const clients = new WeakMap<SocketContext, string>();
  // Who each signed-in socket speaks for, so a revocation can find its sockets.
  const sessions = new Map<SocketContext<Record<string, unknown> | undefined, Extra>, { userId: string; sessionId: string }>();
  const ends = (revocation: SessionRevocation, session: { userId: string; sessionId: string }) =>
    "sessionId" in revocation
      ? revocation.sessionId === session.sessionId
      : revocation.userId === session.userId && revocation.exceptSessionId !== session.sessionId;
  const revocations = pubSub.subscribe("SESSIONS_REVOKED");
  const closing = (async () => {
    for await (const revocation of revocations) {
      for (const [ctx, session] of sessions) {
        if (ends(revocation, session)) ctx.extra.socket.close(SESSION_ENDED, "Session ended");
      }
    }
  })().catch((error: unknown) => log.error({ err: error }, "websocket: revocation listener failed"));
  metrics.metrics.gauge("websocket_connections", "Open graphql-ws connections", [], (gauge) => gauge.set(limits.connections));
  metrics.metrics.gauge("websocket_subscriptions", "Operations running on graphql-ws connections", [], (gauge) =>
    gauge.set(limits.operations),
  );

  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      isProd: config.isProduction,
      subscribe: subscribePerEvent,
      connectionInitWaitTimeout: settings.connectionInitTimeoutMs,
      // false closes the socket with 4403 Forbidden.
      onConnect: async (ctx) => {
        pendingSockets.settled(ctx.extra.socket);
        const viewer = await services.auth.authenticate(authorizationFromParams(ctx.connectionParams));
        const client = viewer ? `user:${String(viewer.user._id)}` : `ip:${clientIp(ctx.extra.request)}`;
        clients.set(ctx, client);
        const admitted = limits.admit(ctx, client);
        if (admitted && viewer) sessions.set(ctx, { userId: String(viewer.user._id), sessionId: viewer.sessionId });
        return admitted;
      },
      onClose: (ctx) => {
        sessions.delete(ctx);
        limits.release(ctx);
      },
      onSubscribe: async (ctx, id, payload) => {
        if (limits.tooManyOperations(ctx)) {
          return [
            new GraphQLError(`At most ${settings.maxSubscriptionsPerConnection} operations may run at once on one connection`, {
              extensions: { code: ErrorCode.RATE_LIMITED },
            }),
          ];
        }
        // After the operation count, which must be read before anything is awaited: graphql-ws
        // registers every operation that arrives meanwhile, and each would count the others.
        const retryAfterSeconds = await rateLimit.consume(clients.get(ctx) ?? `ip:${clientIp(ctx.extra.request)}`);
        if (retryAfterSeconds !== null) return [rateLimited(retryAfterSeconds)];
        const tooDeep = variablesTooDeep(payload.variables);
        if (tooDeep) {
          log.warn({ maxDepth: MAX_VARIABLE_DEPTH }, "graphql: variables nested too deep, refused before coercion");
          return [tooDeep];
        }
        const checked = checkOperation(schema, queryLimits, rules, payload);
        if (!("document" in checked)) return checked;
        const operations = started.get(ctx) ?? new Map<string, number>();
        started.set(ctx, operations.set(id, performance.now()));
        return {
          schema,
          document: checked.document,
          variableValues: payload.variables,
          operationName: payload.operationName,
        };
      },
      // Queries and mutations are timed to their result; subscriptions to their start.
      onOperation: (ctx, id, payload, args) => {
        const start = started.get(ctx)?.get(id);
        started.get(ctx)?.delete(id);
        if (start === undefined) return;
        const operation = getOperationAST(args.document, payload.operationName);
        metrics.observe("ws", operation?.name?.value, operation?.operation, (performance.now() - start) / 1000);
      },
      onError: (_ctx, _id, _payload, errors) => {
        metrics.countErrors(errors.map((error) => error.toJSON()));
      },
      // Runs once per subscription; each event gets fresh loaders (`subscribePerEvent`).
      context: ({ connectionParams, extra }): Context =>
        buildContext(
          { log, services },
          {
            requestId: randomUUID(),
            authorization: authorizationFromParams(connectionParams),
            clientIp: clientIp(extra.request),
          },
        ),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (result.data && jsonSizeUpTo(result.data, queryLimits.maxResponseBytes) > queryLimits.maxResponseBytes) {
          const errors = [responseTooLarge(queryLimits.maxResponseBytes)];
          metrics.countErrors(errors);
          return { data: null, errors };
        }
        if (!result.errors) return undefined;
        const context = args.contextValue as Context;
        logUnexpected(context.log, result.errors);
        const errors: GraphQLFormattedError[] = result.errors.map((error) => {
          const formatted = withRequestId(formatError(error.toJSON(), error), context.requestId);
          return queryLimits.hideSuggestions ? withoutSuggestion(formatted) : formatted;
        });
        metrics.countErrors(errors);
        return { ...result, errors };
      },
    },
    wsServer,
  );
  // graphql-ws reports a socket's errors with console.error as its own; they are the client's
  // (an oversized or malformed frame, a reset), and ws has already closed that socket.
  wsServer.on("connection", (socket) => {
    socket.removeAllListeners("error");
    socket.on("error", (error: Error) => log.warn({ err: error.message }, "websocket: client error, socket closed"));
  });
  pendingSockets.watch(wsServer, clientIp);
  return async () => {
    await revocations.return?.();
    await closing;
    await server.dispose();
  };
}

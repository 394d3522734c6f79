import type { Server } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from "node:net";
import type { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type RequestHandler } from "express";
import type { Config } from "../config";
import { createAiProvider, MongoUsageRecorder } from "../infra/ai";
import { connectDatabase } from "../infra/db";
import { openPubSub, type AppPubSub } from "../infra/pubsub";
import { createLogger, type Logger } from "../lib/logger";
import { Quota } from "../lib/quota";
import { storedSizes } from "../lib/stored-sizes";
import { createApollo } from "./apollo";
import { createHttpApp, finishHttpApp, requestHandlers, routeEnd } from "./http";
import { DirectRoute } from "./direct-route";
import { ideRoutes } from "./ide";
import { GraphQLMetrics } from "./metrics/graphql";
import { httpMetrics, metricsRoute } from "./metrics/http";
import { Metrics } from "./metrics/metrics";
import { registerJobGauges, watchDbCommands } from "./metrics/sources";
import { securityHeaders } from "./security/http-headers";
import { createBoundedHttpServer } from "./security/http-connections";
import { createRateLimit, type RateLimit } from "./security/rate-limit";
import { buildAppSchema } from "./schema";
import { buildContext } from "./context";
import { composeModules, type ComposedModules } from "./compose";
import { multipartBody, multipartViewer } from "./uploads-body";
import type { ProcessGuard } from "./process-guard";
import { attachWebSockets } from "./ws";
import { MODULES } from "./modules";
import { ResponseCache } from "./response-cache/response-cache";
import { responseCacheMiddleware } from "./response-cache/http";
import { clientIpBy, type TrustProxy } from "./client-ip";
import type { Context } from "../lib/context";

const JSON_BODY_LIMIT = "1mb";

export interface AppServer {
  /** Base URL, e.g. `http://localhost:8000`; GraphQL and websockets are at `/graphql`. */
  url: string;
  httpServer: Server;
  logger: Logger;
  /** Graceful: stops accepting, finishes in-flight requests, closes websockets (1001), the database, the engine. */
  stop(): Promise<void>;
}

/** The whole API on one port: REST health, GraphQL over HTTP and over websockets. */
export async function createServer(config: Config, options: { logger?: Logger; guard?: ProcessGuard } = {}): Promise<AppServer> {
  const log = options.logger ?? createLogger(config.log);
  // A busy port is found before anything starts, so that its EADDRINUSE is the only error
  // reported, not what stopping half-started parts would add.
  if (config.port !== 0) await listen(createNetServer(), config.port, config.host).then((probe) => closeServer(probe));
  // Likewise an IDE whose package is not installed.
  const ide = ideRoutes(config.graphql.ide);
  const database = await connectDatabase(config, log);
  let apollo: ApolloServer<Context> | undefined;
  let modules: ComposedModules | undefined;
  let pubSubConnection: { pubSub: AppPubSub; close(): Promise<void> } | undefined;
  const aiUsage = new MongoUsageRecorder(log);
  const metrics = new Metrics();
  const graphqlMetrics = new GraphQLMetrics(metrics);
  registerJobGauges(metrics);
  const { guard } = options;
  if (guard) {
    metrics.gauge("process_escaped_errors", "Errors that escaped every request's handling (logged; the process went on)", [], (gauge) => gauge.set(guard.escaped));
  }
  const unwatchDb = watchDbCommands(metrics);
  let rateLimit: RateLimit | undefined;
  let aiWork: Quota | undefined;
  let responseCache: ResponseCache | undefined;
  try {
    pubSubConnection = await openPubSub(config.redisUrl, log);
    const { pubSub } = pubSubConnection;
    const ai = createAiProvider(config.ai, { log, recorder: metrics.aiRecorder(aiUsage) });
    log.info({ provider: ai.name, model: ai.model, embeddingModelId: ai.embeddingModelId }, `ai: ${ai.name} provider`);
    aiWork = new Quota(
      {
        name: "ai_work_user",
        ...config.aiQuota,
        redisUrl: config.redisUrl,
        refusal: (seconds) => `You have asked for many AI generations lately; try again in ${seconds} s`,
      },
      log,
    );
    modules = composeModules({ config, log, ai, pubSub, database, aiWork });
    const { services } = modules;
    await modules.start();
    await storedSizes.start(log);
    if (config.responseCache.enabled) {
      responseCache = new ResponseCache({ ...config.responseCache, pubSub: config.redisUrl ? pubSub : undefined, log, count: (outcome) => metrics.responseCache.inc({ outcome }) });
      responseCache.start();
    }
    const schema = await buildAppSchema(pubSub);
    const app = createHttpApp(config);
    const graphqlPost = new DirectRoute(app, "POST", "/graphql", routeEnd);
    const httpServer = createBoundedHttpServer(graphqlPost.listener, config.http, log);
    // Every request's handlers, run by Express and by the direct route alike: one added elsewhere would miss `POST /graphql`.
    const everyRequest = [...requestHandlers(config, log), securityHeaders(), httpMetrics(metrics)];
    app.use(...everyRequest);
    rateLimit = createRateLimit(config, log, () => metrics.rateLimited.inc());
    const closeWebSockets = attachWebSockets({
      httpServer,
      schema,
      log,
      services,
      config,
      metrics: graphqlMetrics,
      rateLimit,
      pubSub,
      clientIp: clientIpBy(app.get("trust proxy fn") as TrustProxy),
    });
    const cached = responseCache && { cache: responseCache, cachedQueries: new Set(MODULES.flatMap((module) => module.cachedQueries ?? [])) };
    apollo = createApollo({ schema, httpServer, config, log, closeWebSockets, metrics: graphqlMetrics, responseCache: cached });
    await apollo.start();

    const graphql: RequestHandler[] = [
      express.json({ limit: JSON_BODY_LIMIT }),
      multipartBody(config, (authorization) => services.auth.authenticate(authorization)),
      ...(responseCache ? [responseCacheMiddleware(responseCache, (authorization) => services.auth.authenticate(authorization))] : []),
      expressMiddleware(apollo, {
        context: async ({ req, res }) =>
          buildContext(
            { log, services },
            {
              requestId: String(req.id),
              authorization: req.headers.authorization,
              clientIp: req.ip,
              origin: req.host ? `${req.protocol}://${req.host}` : undefined,
              viewer: multipartViewer(res),
            },
          ),
      }),
    ];
    // GraphQL POSTs, nearly all the traffic, go to GraphQL straight after the rate limit, past the
    // routes below, none of which answers a POST to /graphql (probes, metrics and the IDE answer GETs;
    // REST routes have paths of their own): the same answer, without walking a dozen layers first
    // (and three turns of the event loop: a router left without a match hands on with setImmediate).
    // `POST /graphql` itself runs the same handlers without the router at all (DirectRoute); this
    // route answers the paths Express also matches to it (`/graphql/`, with a query string).
    const graphqlRoute = [rateLimit.middleware, ...graphql];
    app.post("/graphql", ...graphqlRoute);
    graphqlPost.use([...everyRequest, ...graphqlRoute]);
    // Health probes and metrics scrapes come before the rate limit: they must never be refused.
    app.use(metricsRoute(metrics, config.metricsToken));
    for (const probes of modules.probes) app.use(probes);
    // The IDE's page and its few dozen static files: loading it must not spend the rate limit.
    app.use(ide);
    app.use(rateLimit.middleware);
    for (const { path, router } of modules.routes) app.use(path, router);
    // Everything else under /graphql: GET queries, other methods (which Apollo refuses).
    app.use("/graphql", ...graphql);
    finishHttpApp(app);

    await listen(httpServer, config.port, config.host);
    const { port } = httpServer.address() as AddressInfo;
    const url = `http://${urlHost(config.host)}:${port}`;

    const started = apollo;
    const composed = modules;
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await started.stop();
        await responseCache?.stop();
        await composed.stop();
        storedSizes.stop();
        await rateLimit?.close();
        await aiWork?.close();
        await aiUsage.flush();
        await pubSubConnection?.close();
        await database.close();
        unwatchDb();
        log.info("stopped");
      })());
    return { url, httpServer, logger: log, stop };
  } catch (error) {
    // Best effort: the start-up error is the one worth reporting.
    await apollo?.stop().catch(() => undefined);
    await responseCache?.stop().catch(() => undefined);
    await modules?.stop().catch(() => undefined);
    storedSizes.stop();
    await rateLimit?.close().catch(() => undefined);
    await aiWork?.close().catch(() => undefined);
    await pubSubConnection?.close().catch(() => undefined);
    await database.close();
    unwatchDb();
    throw error;
  }
}

function listen<S extends Server | NetServer>(server: S, port: number, host: string): Promise<S> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A wildcard listen address is not something a browser can open. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

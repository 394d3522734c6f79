import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { ApolloServer } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { graphqlUploadExpress } from "graphql-upload-minimal";
import type { Config } from "../config";
import { buildContext, type Context, type Services } from "../context";
import { createAiProvider, MongoUsageRecorder } from "../infra/ai";
import { connectDatabase } from "../infra/db";
import { openPubSub, type AppPubSub } from "../infra/pubsub";
import { createLogger, type Logger } from "../lib/logger";
import { createAccounts } from "../modules/auth/accounts";
import { ChatCleanup } from "../modules/chat/chat.cleanup";
import { createChat, type Chat } from "../modules/chat/chat.module";
import { createCourses } from "../modules/courses/courses.module";
import { createLearning, type Learning } from "../modules/dashboard/learning.module";
import { QuizCleanup } from "../modules/quizzes/quiz-cleanup";
import { createUploads, type Uploads } from "../modules/uploads/uploads.module";
import { authRoutes } from "../modules/auth/auth.rest";
import { aiHealthCheck } from "../modules/health/ai-check";
import { healthRoutes } from "../modules/health/health.rest";
import { HealthService } from "../modules/health/health.service";
import { createApollo } from "./apollo";
import { createHttpApp, finishHttpApp } from "./http";
import { ideRoutes } from "./ide";
import { GraphQLMetrics } from "./metrics/graphql";
import { httpMetrics, metricsRoute } from "./metrics/http";
import { Metrics } from "./metrics/metrics";
import { registerJobGauges, watchDbCommands } from "./metrics/sources";
import { securityHeaders } from "./security/http-headers";
import { createRateLimit, type RateLimit } from "./security/rate-limit";
import { buildAppSchema } from "./schema";
import { attachWebSockets } from "./ws";

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
export async function createServer(config: Config, options: { logger?: Logger } = {}): Promise<AppServer> {
  const log = options.logger ?? createLogger(config.log);
  const database = await connectDatabase(config, log);
  let apollo: ApolloServer<Context> | undefined;
  let uploads: Uploads | undefined;
  let chat: Chat | undefined;
  let learning: Learning | undefined;
  let pubSubConnection: { pubSub: AppPubSub; close(): Promise<void> } | undefined;
  const accounts = createAccounts(config, log);
  const aiUsage = new MongoUsageRecorder(log);
  const metrics = new Metrics();
  const graphqlMetrics = new GraphQLMetrics(metrics);
  registerJobGauges(metrics);
  const unwatchDb = watchDbCommands(metrics);
  let rateLimit: RateLimit | undefined;
  try {
    pubSubConnection = await openPubSub(config.redisUrl, log);
    const { pubSub } = pubSubConnection;
    const ai = createAiProvider(config.ai, { log, recorder: metrics.aiRecorder(aiUsage) });
    log.info({ provider: ai.name, model: ai.model, embeddingModelId: ai.embeddingModelId }, `ai: ${ai.name} provider`);
    const chatCleanup = new ChatCleanup(pubSub);
    const quizCleanup = new QuizCleanup();
    const courses = createCourses({ ai, pubSub, log, dependents: [chatCleanup, quizCleanup] });
    uploads = createUploads({ config, ai, pubSub, log, courses: courses.services, dependents: [quizCleanup] });
    chat = createChat({
      config,
      ai,
      pubSub,
      log,
      cleanup: chatCleanup,
      courses: courses.services.courses,
      uploads: uploads.services.uploads,
      search: uploads.services.search,
    });
    learning = createLearning({ config, ai, log, courses: courses.services, uploads: uploads.services, cleanup: quizCleanup });
    const services: Services = {
      ai,
      ...courses.services,
      ...uploads.services,
      ...learning.services,
      ...chat.services,
      health: new HealthService({ database, pubSub, checkAi: aiHealthCheck(ai) }),
      ...accounts.services,
    };
    await accounts.start();
    await courses.start(log);
    await uploads.start();
    await chat.start();
    await learning.start(log);
    const schema = await buildAppSchema(pubSub);
    const app = createHttpApp(config, log);
    const httpServer = createHttpServer(app);
    app.use(securityHeaders());
    app.use(httpMetrics(metrics));
    app.use(metricsRoute(metrics, config.metricsToken));
    const closeWebSockets = attachWebSockets({
      httpServer,
      schema,
      log,
      services,
      config,
      metrics: graphqlMetrics,
    });
    apollo = createApollo({ schema, httpServer, config, log, closeWebSockets, metrics: graphqlMetrics });
    await apollo.start();

    // Health probes and metrics scrapes come before the rate limit: they must never be refused.
    app.use(healthRoutes(services.health));
    // The IDE's page and its few dozen static files: loading it must not spend the rate limit.
    app.use(ideRoutes(config.graphql.ide));
    rateLimit = createRateLimit(config, log, () => metrics.rateLimited.inc());
    app.use(rateLimit.middleware);
    app.use("/api/v1/auth", authRoutes(services.auth));
    app.use("/api/v1/uploads", uploads.routes(services.auth));
    app.use(
      "/graphql",
      express.json({ limit: JSON_BODY_LIMIT }),
      // busboy counts a file that reaches its limit as cut off: one byte more lets exactly MAX_FILE_SIZE through.
      graphqlUploadExpress({ maxFileSize: config.uploads.maxFileSize + 1, maxFiles: 1 }),
      expressMiddleware(apollo, {
        context: async ({ req }) =>
          buildContext(
            { log, services },
            { requestId: String(req.id), authorization: req.headers.authorization, clientIp: req.ip },
          ),
      }),
    );
    finishHttpApp(app);

    await listen(httpServer, config.port, config.host);
    const { port } = httpServer.address() as AddressInfo;
    const url = `http://${urlHost(config.host)}:${port}`;

    const started = apollo;
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        await started.stop();
        await chat?.close();
        await learning?.close();
        await uploads?.close();
        await courses.close();
        await accounts.close();
        await rateLimit?.close();
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
    await chat?.close().catch(() => undefined);
    await learning?.close().catch(() => undefined);
    await uploads?.close().catch(() => undefined);
    await accounts.close().catch(() => undefined);
    await rateLimit?.close().catch(() => undefined);
    await pubSubConnection?.close().catch(() => undefined);
    await database.close();
    unwatchDb();
    throw error;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** A wildcard listen address is not something a browser can open. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

import type { Server } from "node:http";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginCacheControlDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import type { GraphQLSchema } from "graphql";
import type { Config } from "../config";
import type { Logger } from "../lib/logger";
import { formatError, logUnexpected, withRequestId } from "./errors";
import { landingPagePlugin } from "./ide";
import type { GraphQLMetrics } from "./metrics/graphql";
import { introspectionRules } from "./security/introspection";
import { costLimitPlugin, queryLimitsOf, queryRules, withoutSuggestion } from "./security/query-limits";
import { sizeCheckedJson } from "./security/response-size";
import { keptForCache, notKept, responseCachePlugin } from "./response-cache/http";
import type { ResponseCache } from "./response-cache/response-cache";
import { variablesDepthPlugin } from "./security/variables-depth";
import type { Context } from "../lib/context";

export interface ApolloDeps {
  schema: GraphQLSchema;
  httpServer: Server;
  config: Config;
  log: Logger;
  /** Closes the websocket server; runs while Apollo drains, before the database closes. */
  closeWebSockets: () => Promise<void>;
  /** Times operations and counts errors; left out where nothing is scraped. */
  metrics?: GraphQLMetrics;
  /** With the response cache on: the cache, and the Query fields it may keep answers of. */
  responseCache?: { cache: ResponseCache; cachedQueries: ReadonlySet<string> };
}

export function createApollo(deps: ApolloDeps): ApolloServer<Context> {
  const { schema, httpServer, config, log, closeWebSockets, metrics, responseCache } = deps;
  const queryLimits = queryLimitsOf(config);
  return new ApolloServer<Context>({
    schema,
    // Refused by our own rule below when off, so that the error names GRAPHQL_INTROSPECTION.
    introspection: true,
    includeStacktraceInErrorResponses: false,
    // One operation per request: a batch would multiply every per-operation limit.
    allowBatchedHttpRequests: false,
    parseOptions: { maxTokens: queryLimits.maxTokens },
    validationRules: [...queryRules(queryLimits), ...introspectionRules(config.graphql.introspection)],
    hideSchemaDetailsFromClientErrors: queryLimits.hideSuggestions,
    formatError: queryLimits.hideSuggestions ? (formatted, error) => withoutSuggestion(formatError(formatted, error)) : formatError,
    logger: log,
    stringifyResult: keptForCache(
      sizeCheckedJson(queryLimits.maxResponseBytes, (errors) => {
        notKept();
        metrics?.countErrors(errors);
      }),
    ),
    // main.ts owns shutdown: the database must close after Apollo, and only once.
    stopOnTerminationSignals: false,
    plugins: [
      // Stops accepting connections and lets in-flight requests (REST ones too) finish.
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // No field sets cache hints; left on, Apollo would compute them on every field of every response.
      ApolloServerPluginCacheControlDisabled(),
      {
        async serverWillStart() {
          return { drainServer: closeWebSockets };
        },
      },
      landingPagePlugin(config.graphql.ide),
      errorReporting(log),
      variablesDepthPlugin(),
      costLimitPlugin(queryLimits),
      ...(metrics ? [metrics.apolloPlugin()] : []),
      ...(responseCache ? [responseCachePlugin(responseCache.cachedQueries, responseCache.cache)] : []),
    ],
  });
}

function errorReporting(log: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          // contextValue is missing when building the context itself failed.
          logUnexpected(contextValue?.log ?? log, errors);
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind === "single" && response.body.singleResult.errors && contextValue) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((error) =>
              withRequestId(error, contextValue.requestId),
            );
          }
        },
      };
    },
  };
}

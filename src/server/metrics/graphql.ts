import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLFormattedError } from "graphql";
import { ErrorCode } from "../../lib/errors";
import type { Metrics } from "./metrics";

/**
 * Operation names come from clients: past this many distinct ones, new names are counted as
 * "other", so a client inventing names cannot grow the metrics without bound.
 */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Labels for GraphQL operations, shared by the HTTP plugin and the websocket hooks. */
export class GraphQLMetrics {
  private readonly names = new Set<string>();

  constructor(readonly metrics: Metrics) {}

  operationLabel(name: string | null | undefined): string {
    if (!name) return "anonymous";
    if (!OPERATION_NAME.test(name)) return "other";
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES) return "other";
    this.names.add(name);
    return name;
  }

  observe(transport: "http" | "ws", name: string | null | undefined, type: string | undefined, seconds: number): void {
    this.metrics.graphqlOperationDuration.observe(
      { operation: this.operationLabel(name), type: type ?? "unknown", transport },
      seconds,
    );
  }

  countErrors(errors: readonly GraphQLFormattedError[]): void {
    for (const error of errors) {
      const code = typeof error.extensions?.code === "string" ? error.extensions.code : ErrorCode.INTERNAL_SERVER_ERROR;
      this.metrics.graphqlErrors.inc({ code });
    }
  }

  /** Times every HTTP operation and counts the errors of its response, as clients receive them. */
  apolloPlugin(): ApolloServerPlugin {
    return {
      requestDidStart: async () => {
        const started = performance.now();
        return {
          willSendResponse: async ({ request, operation, response }) => {
            this.observe("http", operation?.name?.value ?? request.operationName, operation?.operation, (performance.now() - started) / 1000);
            if (response.body.kind === "single" && response.body.singleResult.errors) {
              this.countErrors(response.body.singleResult.errors);
            }
          },
        };
      },
    };
  }
}

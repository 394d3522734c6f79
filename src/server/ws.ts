import { randomUUID } from "node:crypto";
import type { Server } from "node:http";
import type { GraphQLFormattedError, GraphQLSchema } from "graphql";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import { authorizationFromParams, buildContext, type Context, type Services } from "../context";
import type { Logger } from "../lib/logger";
import { formatError, logUnexpected, withRequestId } from "./errors";

export interface WebSocketDeps {
  httpServer: Server;
  schema: GraphQLSchema;
  log: Logger;
  services: Services;
  isProduction: boolean;
}

/**
 * graphql-ws on the HTTP server's port and `/graphql` path. Returns the function that closes
 * every socket with 1001 (going away) and stops the websocket server.
 */
export function attachWebSockets({ httpServer, schema, log, services, isProduction }: WebSocketDeps): () => Promise<void> {
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql" });
  const server = useServer<Record<string, unknown> | undefined>(
    {
      schema,
      isProd: isProduction,
      // Runs once per subscription: nothing cached on the context outlives it.
      context: ({ connectionParams, extra }): Context =>
        buildContext(
          { log, services },
          {
            requestId: randomUUID(),
            authorization: authorizationFromParams(connectionParams),
            clientIp: extra.request.socket.remoteAddress,
          },
        ),
      onNext: (_ctx, _id, _payload, args, result) => {
        if (!result.errors) return undefined;
        const context = args.contextValue as Context;
        logUnexpected(context.log, result.errors);
        const errors: GraphQLFormattedError[] = result.errors.map((error) =>
          withRequestId(formatError(error.toJSON(), error), context.requestId),
        );
        return { ...result, errors };
      },
    },
    wsServer,
  );
  return async () => {
    await server.dispose();
  };
}

import type { ApolloServerPlugin } from "@apollo/server";
import type { RequestHandler } from "express";
import { Kind, type FormattedExecutionResult, type OperationDefinitionNode } from "graphql";
import type { Context } from "../../lib/context";
import type { Viewer } from "../../lib/identity";
import { currentReads, recordingReads } from "../../lib/read-tags";
import type { CacheScope, ResponseCache } from "./response-cache";

function currentScope(): CacheScope | undefined {
  return currentReads() as CacheScope | undefined;
}

interface GraphQLBody {
  query?: unknown;
  operationName?: unknown;
  variables?: unknown;
  extensions?: unknown;
}

/**
 * A document opening with a mutation: never kept, so not looked up nor recorded. A look at the
 * text only: a query written otherwise (after a comment) goes the whole way and is found not
 * cacheable by the plugin below.
 */
const MUTATION = /^\s*mutation\b/;

/**
 * Before Apollo on `/graphql`: a JSON POST is answered from the cache when this viewer's very
 * request is there (nothing else runs: no parsing, no validation, no execution); otherwise it goes
 * on to Apollo with its reads recorded, and its answer is kept once sent if the plugin below found
 * it cacheable. The viewer found here is the request's (`res.locals.viewer`, as multipart requests do).
 */
export function responseCacheMiddleware(cache: ResponseCache, authenticate: (authorization: string | undefined) => Promise<Viewer | null>): RequestHandler {
  return (req, res, next) => {
    const body = req.body as GraphQLBody | undefined;
    const locals = res.locals as { viewer?: Promise<Viewer | null> };
    if (req.method !== "POST" || typeof body?.query !== "string" || body.extensions !== undefined || locals.viewer || MUTATION.test(body.query)) return next();
    const query = body.query;
    authenticate(req.headers.authorization).then(
      (viewer) => {
        locals.viewer = Promise.resolve(viewer);
        const key = cache.keyOf(viewer, { query, operationName: body.operationName, variables: body.variables }, req.headers.accept);
        const hit = cache.get(key);
        if (hit) {
          res.setHeader("content-type", hit.contentType);
          res.send(hit.body);
          return;
        }
        const scope = cache.begin(key, viewer);
        res.once("finish", () => {
          const contentType = res.getHeader("content-type");
          if (res.statusCode === 200 && typeof contentType === "string") cache.store(scope, contentType);
        });
        recordingReads(scope, next);
      },
      // A failed sign-in check is Apollo's to report, as without the cache.
      () => next(),
    );
  };
}

/**
 * Marks a request's answer cacheable: a query whose root fields are all `cachedQueries` (fields
 * whose answers depend only on stored data and the viewer), answered without errors. A mutation
 * that wrote is answered once the other instances know (`ResponseCache.delivered`): the client's
 * next read, wherever it goes, does not get what the write changed.
 */
export function responseCachePlugin(cachedQueries: ReadonlySet<string>, cache: ResponseCache): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const scope = currentScope();
      if (!scope) {
        if (!cache.publishes) return;
        const publishedBefore = cache.publishedCount();
        return {
          async willSendResponse({ operation }) {
            if (operation?.operation === "mutation" && cache.publishedCount() !== publishedBefore) await cache.delivered();
          },
        };
      }
      return {
        async didResolveOperation({ operation }) {
          scope.cacheable = operation !== undefined && cacheable(operation, cachedQueries);
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== "single" || response.body.singleResult.errors?.length) scope.cacheable = false;
        },
      };
    },
  };
}

function cacheable(operation: OperationDefinitionNode, cachedQueries: ReadonlySet<string>): boolean {
  if (operation.operation !== "query" || (operation.directives?.length ?? 0) > 0) return false;
  return operation.selectionSet.selections.every(
    (selection) => selection.kind === Kind.FIELD && (selection.name.value === "__typename" || cachedQueries.has(selection.name.value)),
  );
}

/** Apollo's `stringifyResult`, keeping the text of an answer being cached (the exact bytes sent). */
export function keptForCache(stringify: (result: FormattedExecutionResult) => string): (result: FormattedExecutionResult) => string {
  return (result) => {
    const text = stringify(result);
    const scope = currentScope();
    if (scope?.cacheable) scope.body = text;
    return text;
  };
}

/** An answer that was not sent as computed (too large): not kept. */
export function notKept(): void {
  const scope = currentScope();
  if (scope) scope.cacheable = false;
}

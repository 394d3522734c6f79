import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerErrorCode } from "@apollo/server/errors";
import { ApolloArmor } from "@escape.tech/graphql-armor";
import {
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import type { Config } from "../../config";
import { ErrorCode } from "../../lib/errors";
import { isInvalidIdError } from "../../lib/scalars";
import { operationBudgets } from "./operation-budgets";
import { assertAffordable, type CostLimits } from "./query-cost";

/** The shape and size a single operation may have; the same over HTTP and websockets. */
export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of the document; checked while parsing, so a huge document costs little. */
  maxTokens: number;
  /** See query-cost.ts: lists weigh what they select times their `limit`. */
  maxCost: number;
  /** Bytes an answer may carry: estimated before execution (query-cost.ts), measured after (response-size.ts). */
  maxResponseBytes: number;
  /** Production: no "Did you mean ...?" hints that would reveal field names. */
  hideSuggestions: boolean;
}

/** The configured limits; field suggestions are hidden in production. */
export function queryLimitsOf(config: Config): QueryLimits {
  const { maxDepth, maxAliases, maxDirectives, maxTokens, maxCost, maxResponseBytes } = config.graphql;
  return { maxDepth, maxAliases, maxDirectives, maxTokens, maxCost, maxResponseBytes, hideSuggestions: config.isProduction };
}

/**
 * Per-request budgets of password and search work (operation-budgets.ts), then graphql-armor's
 * depth, alias and directive rules; armor's own cost rule ignores `limit`, query-cost.ts replaces it.
 */
export function queryRules(limits: QueryLimits): ValidationRule[] {
  return [operationBudgets, ...armorRules(limits)];
}

function armorRules(limits: QueryLimits): ValidationRule[] {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    // armor lets `__typename` be aliased freely by default; a thousand of them still cost a response.
    maxAliases: { n: limits.maxAliases, allowList: [] },
    maxDirectives: { n: limits.maxDirectives },
    maxTokens: { enabled: false },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect().validationRules;
}

/** Prices each operation over HTTP once Apollo has parsed and validated it and knows its variables. */
export function costLimitPlugin(limits: CostLimits): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          assertAffordable({ schema, document, variables: request.variables, operationName: request.operationName }, limits);
        },
      };
    },
  };
}

export interface CheckedOperation {
  document: DocumentNode;
}

/**
 * The HTTP path's checks for one websocket operation: parse within the token limit, validate
 * with the spec's rules and ours, price with its variables. Returns the parsed document, or the
 * errors to send back instead of running it.
 */
export function checkOperation(
  schema: GraphQLSchema,
  limits: QueryLimits,
  rules: readonly ValidationRule[],
  payload: { query: string; variables?: Record<string, unknown> | null; operationName?: string | null },
): CheckedOperation | readonly GraphQLError[] {
  let document: DocumentNode;
  try {
    document = parse(payload.query, { maxTokens: limits.maxTokens });
  } catch (error) {
    if (error instanceof GraphQLError) return [withCode(error, ApolloServerErrorCode.GRAPHQL_PARSE_FAILED, error.message)];
    throw error;
  }
  const errors = validate(schema, document, [...specifiedRules, ...rules]);
  if (errors.length > 0) {
    return errors.map((error) =>
      withCode(
        error,
        // As formatError does over HTTP: a malformed id literal is the client's input, not a broken query.
        isInvalidIdError(error) ? ErrorCode.BAD_USER_INPUT : ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
        limits.hideSuggestions ? withoutSuggestion(error).message : error.message,
      ),
    );
  }
  try {
    assertAffordable({ schema, document, variables: payload.variables ?? undefined, operationName: payload.operationName }, limits);
  } catch (error) {
    if (error instanceof GraphQLError) return [withCode(error, ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, error.message)];
    throw error;
  }
  return { document };
}

// The same pattern Apollo's hideSchemaDetailsFromClientErrors removes on the HTTP path.
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * An error without its "Did you mean …?" hint. Apollo removes them from validation errors only;
 * a variable's coercion error ("… does not exist in "ChatMode" enum. Did you mean the enum value
 * "STRICT"?") carries them too, over HTTP and websockets alike.
 */
export function withoutSuggestion<Formatted extends { message: string }>(error: Formatted): Formatted {
  return SUGGESTION.test(error.message) ? { ...error, message: error.message.replace(SUGGESTION, "") } : error;
}

/** The codes Apollo gives the same failures over HTTP; a websocket has no HTTP status to set. */
function withCode(error: GraphQLError, code: string, message: string): GraphQLError {
  const { http: _status, ...extensions } = error.extensions;
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...extensions, code } });
}

import { ApolloServerErrorCode } from "@apollo/server/errors";
import {
  GraphQLError,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isLeafType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";
import { knownPrice, rememberPrice } from "./cost-cache";
import { estimateBytes } from "./response-estimate";

/**
 * What a list without a `limit` argument (a course's chapters, a quiz's questions) is assumed
 * to hold when pricing a query: such lists are bounded by the data, not by the caller.
 */
const UNBOUNDED_LIST_SIZE = 10;
/** Fields visited (fragments expanded) before a document is refused without being priced. */
const MAX_PRICED_NODES = 20_000;

/**
 * A field that returns objects costs 1 (a document to load or build), scalars nothing. A field
 * with a `limit` argument (our paginated lists) multiplies what is selected under it by that
 * limit; the page's `items` are then counted by it, not again. Other lists of objects multiply
 * by UNBOUNDED_LIST_SIZE. Introspection costs 1 whatever it selects: it reads the schema, not
 * the database, and depth, alias and token limits still bound it.
 */
const estimateCost: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (field.name.startsWith("__")) return 1;
  const fieldType = getNullableType(field.type);
  if (isLeafType(getNamedType(fieldType))) return 0;
  const limit = args.limit;
  if (typeof limit === "number" && limit > 0) return 1 + limit * childComplexity;
  const isPageItems = field.name === "items" && "getFields" in type && "hasMore" in type.getFields();
  const multiplier = isListType(fieldType) && !isPageItems ? UNBOUNDED_LIST_SIZE : 1;
  return 1 + multiplier * childComplexity;
};

/** What one operation may cost (query-limits.ts), and the bytes its answer may carry. */
export interface CostLimits {
  maxCost: number;
  maxResponseBytes: number;
}

export interface CostedOperation {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string | null;
}

/** The estimated cost of a valid operation with valid variables (a `limit` often is one). */
export function operationCost(operation: CostedOperation): number {
  return priced(operation, estimateCost);
}

/** The most bytes a valid operation's answer could take as JSON; see response-estimate.ts. */
export function operationResponseBytes(operation: CostedOperation): number {
  return priced(operation, estimateBytes);
}

function priced({ schema, document, variables, operationName }: CostedOperation, estimator: ComplexityEstimator): number {
  return getComplexity({
    schema,
    query: document,
    variables: variables ?? {},
    operationName: operationName ?? undefined,
    estimators: [estimator],
    maxQueryNodes: MAX_PRICED_NODES,
  });
}

/**
 * Throws a 400-class GraphQL error when the operation costs more than `maxCost`, or its answer
 * could take more than `maxResponseBytes` bytes.
 */
export function assertAffordable(operation: CostedOperation, { maxCost, maxResponseBytes }: CostLimits): void {
  let price = knownPrice(operation);
  if (price === undefined) {
    // Variables that do not fit are refused by execution with its usual error and status.
    if (!variablesFit(operation)) return;
    try {
      price = { cost: operationCost(operation), bytes: operationResponseBytes(operation) };
    } catch (error) {
      // Fragments spread many times over can expand a small document past what is worth pricing.
      if (error instanceof GraphQLError) throw refusal(`Query is too large: ${error.message}`, { maxCost });
      throw error;
    }
    rememberPrice(operation, price);
  }
  const { cost, bytes } = price;
  if (cost > maxCost) {
    throw refusal(`Query is too expensive: cost ${cost} exceeds the limit of ${maxCost}; ask for fewer items or fields`, {
      cost,
      maxCost,
    });
  }
  if (bytes > maxResponseBytes) {
    throw refusal(
      `Query could return too much data: up to ${bytes} bytes exceeds the limit of ${maxResponseBytes}; ask for fewer items or leave out long text fields`,
      { estimatedBytes: bytes, maxResponseBytes },
    );
  }
}

function variablesFit({ schema, document, variables, operationName }: CostedOperation): boolean {
  const operation = getOperationAST(document, operationName);
  if (!operation) return false;
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  return !result.errors;
}

function refusal(message: string, details: Record<string, number>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, ...details, http: { status: 400 } },
  });
}

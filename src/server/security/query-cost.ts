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
import { CONTENT_MAX_LENGTH, MAX_CHAPTERS } from "../../modules/chapters/chapter.model";
import { DESCRIPTION_MAX_LENGTH, OUTLINE_MAX_LENGTH } from "../../modules/courses/course.rules";
import { MAX_QUESTIONS, TEXT_MAX_LENGTH } from "../../modules/quizzes/quiz.model";
import { knownPrice, rememberPrice } from "./cost-cache";

/**
 * What a list without a `limit` argument (a course's chapters, a quiz's questions) is assumed
 * to hold when pricing a query: such lists are bounded by the data, not by the caller.
 */
const UNBOUNDED_LIST_SIZE = 10;
/** Fields visited (fragments expanded) before a document is refused without being priced. */
const MAX_PRICED_NODES = 20_000;

/** Lists without a `limit` argument, at the most they can hold (`Type.field`). */
const LIST_CAPS: Record<string, number> = {
  "Course.chapters": MAX_CHAPTERS,
  "Mutation.reorderChapters": MAX_CHAPTERS,
  "Quiz.questions": MAX_QUESTIONS,
};

/**
 * Text fields that can be long, at their longest (characters; a byte each for ASCII): what makes
 * a small query return a huge answer. Other scalars are small and left to the object count.
 */
const LARGE_TEXT: Record<string, number> = {
  "Chapter.content": CONTENT_MAX_LENGTH,
  "Course.outline": OUTLINE_MAX_LENGTH,
  "Course.description": DESCRIPTION_MAX_LENGTH,
  "Question.prompt": TEXT_MAX_LENGTH,
  "Question.explanation": TEXT_MAX_LENGTH,
};

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

/**
 * The most text an operation could return: each large text field at its maximum length, times
 * every list above it at its `limit` or its real cap (LIST_CAPS). 15 aliases of a course's
 * chapters' content come to 15 x 200 x 200,000 characters, whatever the course holds today.
 */
const estimateText: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (field.name.startsWith("__")) return 0;
  const key = `${type.name}.${field.name}`;
  const fieldType = getNullableType(field.type);
  if (isLeafType(getNamedType(fieldType))) return LARGE_TEXT[key] ?? 0;
  const limit = args.limit;
  if (typeof limit === "number" && limit > 0) return limit * childComplexity;
  const isPageItems = field.name === "items" && "getFields" in type && "hasMore" in type.getFields();
  const multiplier = isListType(fieldType) && !isPageItems ? (LIST_CAPS[key] ?? UNBOUNDED_LIST_SIZE) : 1;
  return multiplier * childComplexity;
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

/** The most text (characters) a valid operation could return; see `estimateText`. */
export function operationTextSize(operation: CostedOperation): number {
  return priced(operation, estimateText);
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
 * Throws a 400-class GraphQL error when the operation costs more than `maxCost`, or could return
 * more than `maxResponseBytes` of text.
 */
export function assertAffordable(operation: CostedOperation, { maxCost, maxResponseBytes }: CostLimits): void {
  let price = knownPrice(operation);
  if (price === undefined) {
    // Variables that do not fit are refused by execution with its usual error and status.
    if (!variablesFit(operation)) return;
    try {
      price = { cost: operationCost(operation), text: operationTextSize(operation) };
    } catch (error) {
      // Fragments spread many times over can expand a small document past what is worth pricing.
      if (error instanceof GraphQLError) throw refusal(`Query is too large: ${error.message}`, { maxCost });
      throw error;
    }
    rememberPrice(operation, price);
  }
  const { cost, text } = price;
  if (cost > maxCost) {
    throw refusal(`Query is too expensive: cost ${cost} exceeds the limit of ${maxCost}; ask for fewer items or fields`, {
      cost,
      maxCost,
    });
  }
  if (text > maxResponseBytes) {
    throw refusal(
      `Query could return too much data: up to ${text} bytes of text exceeds the limit of ${maxResponseBytes}; ask for fewer items or leave out long text fields`,
      { maxResponseBytes },
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

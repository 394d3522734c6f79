import type { DocumentNode } from "graphql";
import { storedSizes } from "../../lib/stored-sizes";

/** What a price is kept by (query-cost.ts's `PricedOperation` fits). */
interface PricedOperation {
  document: DocumentNode;
  variables?: Record<string, unknown>;
  operationName?: string | null;
}

/** What an operation may cost: objects resolved, and the most bytes its answer could take. */
export interface Price {
  cost: number;
  bytes: number;
}

/** Distinct prices kept per document; a client varying its `limit` endlessly only refills them. */
const PRICES_PER_DOCUMENT = 64;

/**
 * Operation prices by document. Apollo keeps parsed documents and hands the same object to
 * every request of one query text, so a page asked a thousand times is priced once.
 */
const prices = new WeakMap<DocumentNode, Map<string, Price>>();

/**
 * What a price depends on besides the document: the operation, and the variables that can
 * change it (numbers feed `limit`, booleans `@skip`/`@include`). Ids and texts never do, so a
 * quiz page priced for one quiz is priced for all.
 */
function priceKey({ operationName, variables }: PricedOperation): string {
  const pricing = Object.entries(variables ?? {}).filter(([, value]) => typeof value === "number" || typeof value === "boolean");
  // A stored field growing larger (lib/stored-sizes.ts) reprices every operation.
  return JSON.stringify([operationName ?? null, storedSizes.generation, pricing]);
}

export function knownPrice(operation: PricedOperation): Price | undefined {
  return prices.get(operation.document)?.get(priceKey(operation));
}

export function rememberPrice(operation: PricedOperation, price: Price): void {
  let known = prices.get(operation.document);
  if (!known) prices.set(operation.document, (known = new Map()));
  if (known.size >= PRICES_PER_DOCUMENT) known.clear();
  known.set(priceKey(operation), price);
}

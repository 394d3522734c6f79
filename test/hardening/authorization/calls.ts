// How the authorization tables call a root field and read what came back.
import {
  getNamedType,
  isCompositeType,
  isLeafType,
  isObjectType,
  isRequiredArgument,
  type GraphQLField,
} from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Outcome } from "./matrix";
import type { Result } from "./world";

/**
 * How long a subscription must run without an error to count as allowed. Refusals come at
 * once; most allowed subscriptions send their current state at once too, so only those
 * that wait for news (ping, session events) wait this long.
 */
const SUBSCRIPTION_GRACE_MS = 1_000;

/** `{ total }` for pages, `{ __typename }` for other objects, nothing for scalars. */
export function selection(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  if (isLeafType(type)) return "";
  if (isObjectType(type) && "total" in type.getFields()) return "{ total }";
  return isCompositeType(type) ? "{ __typename }" : "";
}

export function documentFor(operation: string, field: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): string {
  const args = field.args.filter((arg) => arg.name in variables || isRequiredArgument(arg));
  const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  return `${operation} Matrix${definitions ? `(${definitions})` : ""} { result: ${field.name}${passed ? `(${passed})` : ""} ${selection(field)} }`;
}

export function outcomeOf(result: Result): Outcome {
  const code = result.errors?.[0]?.extensions?.code;
  if (code) return code as Outcome;
  if (result.errors?.length) throw new Error(`an error without a code: ${JSON.stringify(result.errors)}`);
  const value = result.data?.result;
  if (value === null || value === undefined) return "null";
  const empty = Array.isArray(value) ? value.length === 0 : (value as { total?: number }).total === 0;
  return empty ? "empty" : "ok";
}

export async function viaWebSocket(wsUrl: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<Result> {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
  });
  const iterator = client.iterate({ query, variables });
  try {
    const grace = new Promise<"running">((resolve) => setTimeout(() => resolve("running"), SUBSCRIPTION_GRACE_MS));
    const first = await Promise.race([iterator.next(), grace]);
    if (first === "running") return { data: { result: "running" } };
    if (first.done) return { data: { result: "completed" } };
    return first.value as Result;
  } catch (errors) {
    return { errors: errors as Result["errors"] };
  } finally {
    await iterator.return?.();
    await client.dispose();
  }
}


import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isCompositeType,
  isLeafType,
  isObjectType,
  isRequiredArgument,
  type GraphQLField,
  type GraphQLSchema,
  type IntrospectionQuery,
  type OperationTypeNode,
} from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { MATRIX, NESTED, type Entry, type Outcome } from "./matrix";
import { MATERIAL, ROLES, World, type Result, type Role } from "./world";

/**
 * How long a subscription must run without an error to count as allowed. Refusals come at
 * once; most allowed subscriptions send their current state at once too, so only those
 * that wait for news (ping, session events) wait this long.
 */
const SUBSCRIPTION_GRACE_MS = 1_000;

let world: World;
let schema: GraphQLSchema;
let rootFields: { name: string; operation: "query" | "mutation" | "subscription"; field: GraphQLField<unknown, unknown> }[];

beforeAll(async () => {
  world = await World.start();
  // The schema as served, so the list is whatever the API exposes today.
  const introspection = await world.must("admin", getIntrospectionQuery());
  schema = buildClientSchema(introspection as unknown as IntrospectionQuery);
  rootFields = (["query", "mutation", "subscription"] as const).flatMap((operation) => {
    const type = schema.getRootType(operation as OperationTypeNode);
    if (!type) return [];
    return Object.values(type.getFields()).map((field) => ({ name: `${type.name}.${field.name}`, operation, field }));
  });
}, 60_000);
afterAll(async () => {
  await world?.server.stop();
});

it("has an entry for every query, mutation and subscription of the schema", () => {
  const missing = rootFields.map((f) => f.name).filter((name) => !(name in MATRIX));
  const stale = Object.keys(MATRIX).filter((name) => !rootFields.some((f) => f.name === name));
  expect({ missing, stale }).toEqual({ missing: [], stale: [] });
});

/** `{ total }` for pages, `{ __typename }` for other objects, nothing for scalars. */
function selection(field: GraphQLField<unknown, unknown>): string {
  const type = getNamedType(field.type);
  if (isLeafType(type)) return "";
  if (isObjectType(type) && "total" in type.getFields()) return "{ total }";
  return isCompositeType(type) ? "{ __typename }" : "";
}

function documentFor(operation: string, field: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): string {
  const args = field.args.filter((arg) => arg.name in variables || isRequiredArgument(arg));
  const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  return `${operation} Matrix${definitions ? `(${definitions})` : ""} { result: ${field.name}${passed ? `(${passed})` : ""} ${selection(field)} }`;
}

function outcomeOf(result: Result): Outcome {
  const code = result.errors?.[0]?.extensions?.code;
  if (code) return code as Outcome;
  if (result.errors?.length) throw new Error(`an error without a code: ${JSON.stringify(result.errors)}`);
  const value = result.data?.result;
  if (value === null || value === undefined) return "null";
  const empty = Array.isArray(value) ? value.length === 0 : (value as { total?: number }).total === 0;
  return empty ? "empty" : "ok";
}

async function viaHttp(token: string | undefined, query: string, variables: Record<string, unknown>, upload: boolean): Promise<Result> {
  if (!upload) return world.request(token, query, variables);
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables }));
  form.append("map", JSON.stringify({ 0: ["variables.file"] }));
  form.append("0", new Blob([MATERIAL], { type: "text/plain" }), "tides.txt");
  const response = await fetch(world.server.graphqlUrl, {
    method: "POST",
    headers: { "apollo-require-preflight": "true", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: form,
  });
  return (await response.json()) as Result;
}

async function viaWebSocket(token: string | undefined, query: string, variables: Record<string, unknown>): Promise<Result> {
  const client = createClient({
    url: world.server.wsUrl,
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

async function callAs(role: Role, name: string, entry: Entry): Promise<Outcome> {
  const root = rootFields.find((f) => f.name === name);
  if (!root) throw new Error(`${name} is not in the schema`);
  const variables = await entry.vars(world, role);
  const token = entry.caller ? await entry.caller(world, role) : world.token(role);
  const query = documentFor(root.operation, root.field, variables);
  const result =
    root.operation === "subscription"
      ? await viaWebSocket(token, query, variables)
      : await viaHttp(token, query, variables, entry.upload === true);
  return outcomeOf(result);
}

describe.each(Object.entries(MATRIX))("%s", (name, entry) => {
  it("answers each role as the table says", async () => {
    const seen = {} as Record<Role, Outcome>;
    for (const role of ROLES) {
      const outcome = await callAs(role, name, entry);
      // "ok" asks only for an answer without an error; the student's items are compared where it matters.
      seen[role] = outcome === "empty" && entry.expect[role] === "ok" ? "ok" : outcome;
    }
    expect(seen).toEqual(entry.expect);
  });
});

describe.each(Object.entries(NESTED))("%s", (_name, entry) => {
  it("answers each role as the table says", async () => {
    const seen = {} as Record<Role, Outcome>;
    for (const role of ROLES) seen[role] = outcomeOf(await world.request(world.token(role), entry.query, await entry.vars(world, role)));
    expect(seen).toEqual(entry.expect);
  });
});

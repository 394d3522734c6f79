import { buildClientSchema, getIntrospectionQuery, type GraphQLField, type GraphQLSchema, type IntrospectionQuery, type OperationTypeNode } from "graphql";
import { documentFor, outcomeOf, viaWebSocket } from "./calls";
import { CLASS_MATRIX } from "./class-matrix";
import { MATRIX, NESTED, type Entry, type Outcome } from "./matrix";
import { MATERIAL, ROLES, World, type Result, type Role } from "./world";

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
  // The classes domain has a table of its own (class-matrix.ts: roles within a class).
  const missing = rootFields.map((f) => f.name).filter((name) => !(name in MATRIX) && !(name in CLASS_MATRIX));
  const stale = [...Object.keys(MATRIX), ...Object.keys(CLASS_MATRIX)].filter((name) => !rootFields.some((f) => f.name === name));
  expect({ missing, stale }).toEqual({ missing: [], stale: [] });
});

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

async function callAs(role: Role, name: string, entry: Entry): Promise<Outcome> {
  const root = rootFields.find((f) => f.name === name);
  if (!root) throw new Error(`${name} is not in the schema`);
  const variables = await entry.vars(world, role);
  const token = entry.caller ? await entry.caller(world, role) : world.token(role);
  const query = documentFor(root.operation, root.field, variables);
  const result =
    root.operation === "subscription"
      ? await viaWebSocket(world.server.wsUrl, token, query, variables)
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

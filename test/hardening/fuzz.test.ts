import fc from "fast-check";
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { startTestServer, type TestServer } from "../helpers/server";
import { wsClient } from "../helpers/ws";
import { bearer, post, type RawResponse } from "./support";

/** Change it to explore other cases; a failure prints the seed and the request that caused it. */
const SEED = 20261126;
const CASES_PER_KIND = 1_000;
const CONCURRENCY = 8;
/** The fuzzing stops here even if cases are left, so a slow machine cannot stall the suite. */
const TIME_BUDGET_MS = 15_000;
const REQUEST_TIMEOUT_MS = 5_000;
const PASSWORD = "fuzz password 1";

let engine: EmbeddedMongo;
let server: TestServer;
let schema: GraphQLSchema;
let token: string;
let courseId: string;

beforeAll(async () => {
  // Production mode (masked errors, no suggestions) needs a MongoDB URL: an embedded engine of our own.
  engine = await startEmbeddedMongo({ host: "127.0.0.1", port: 0 });
  server = await startTestServer({
    NODE_ENV: "production",
    MONGODB_URL: engine.uri,
    JWT_SECRET_KEY: "f".repeat(48),
    GRAPHQL_INTROSPECTION: "true",
    RATE_LIMIT_REQUESTS: "0",
  });
  for (let i = 0; (await fetch(`${server.url}/health/detailed`)).status !== 200; i++) {
    if (i > 100) throw new Error("the database never connected");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  schema = buildClientSchema((await must(undefined, getIntrospectionQuery())) as unknown as IntrospectionQuery);
  await must(undefined, "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }", {
    input: { name: "Fuzz", email: "fuzz@example.com", password: PASSWORD },
  });
  token = ((await must(undefined, "mutation { login(input: { email: \"fuzz@example.com\", password: \"fuzz password 1\" }) { accessToken } }")).login as {
    accessToken: string;
  }).accessToken;
  const created = await must(token, "mutation { createCourse(input: { title: \"Kept\", level: BEGINNER }) { id } }");
  courseId = (created.createCourse as { id: string }).id;
  await must(token, "mutation($id: ID!) { addChapter(input: { courseId: $id, title: \"One\", content: \"Kept content\" }) { id } }", { id: courseId });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await engine?.stop();
});

async function must(auth: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await post(server.graphqlUrl, { query, variables }, bearer(auth));
  if (!response.body?.data || response.body.errors) throw new Error(`setup failed: ${response.text.slice(0, 500)}`);
  return response.body.data;
}

// ---- generators -------------------------------------------------------------------------

const objectId = fc.stringMatching(/^[0-9a-f]{24}$/);

/** A value for an input type: usually of the right shape, sometimes not, sometimes extreme. */
function valueFor(type: GraphQLInputType, depth = 0): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.constant({}), fc.constant([]));
  if (depth > 3) return wrong;
  const inner = getNullableType(type) as GraphQLInputType;
  let right: fc.Arbitrary<unknown>;
  if (isListType(inner)) {
    right = fc.array(valueFor(inner.ofType, depth + 1), { maxLength: 4 });
  } else if (isEnumType(inner)) {
    right = fc.constantFrom(...inner.getValues().map((value) => value.name));
  } else if (isInputObjectType(inner)) {
    const fields = Object.values(inner.getFields());
    right = fc.record(Object.fromEntries(fields.map((field) => [field.name, valueFor(field.type, depth + 1)])), {
      requiredKeys: fields.filter((field) => isNonNullType(field.type)).map((field) => field.name),
    });
  } else if (isScalarType(inner)) {
    right = scalarValue(inner.name);
  } else {
    right = wrong;
  }
  return fc.oneof({ arbitrary: right, weight: 8 }, { arbitrary: wrong, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });
}

function scalarValue(name: string): fc.Arbitrary<unknown> {
  switch (name) {
    case "Int":
      return fc.oneof(fc.integer({ min: -5, max: 150 }), fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)));
    case "Float":
      return fc.double({ noNaN: true });
    case "Boolean":
      return fc.boolean();
    case "ID":
      return fc.oneof(objectId, fc.string({ maxLength: 30 }));
    case "EmailAddress":
      return fc.oneof(fc.emailAddress(), fc.string());
    case "DateTime":
      return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string());
    case "JSONObject":
      return fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });
    default:
      return fc.string({ maxLength: 200, unit: "grapheme" });
  }
}

/** A selection of a type's fields, a few levels down; arguments of nested fields are left to their defaults. */
function selectionFor(type: GraphQLObjectType, depth: number): fc.Arbitrary<string> {
  const fields = Object.values(type.getFields()).filter((field) => field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined));
  const pick = fc.subarray(fields, { minLength: Math.min(1, fields.length), maxLength: Math.min(4, fields.length) });
  return pick.chain((chosen) =>
    fc
      .tuple(
        ...chosen.map((field) => {
          const named = getNamedType(field.type);
          if (isLeafType(named)) return fc.constant(field.name);
          if (depth >= 3 || !isObjectType(named)) return fc.constant(`${field.name} { __typename }`);
          return selectionFor(named, depth + 1).map((inner) => `${field.name} ${inner}`);
        }),
      )
      .map((parts) => `{ __typename ${parts.join(" ")} }`),
  );
}

/** A random operation on one root field, valid in shape, with random (often wrong) variables. */
function operation(): fc.Arbitrary<{ query: string; variables: Record<string, unknown> }> {
  const roots = (["query", "mutation"] as const).flatMap((kind) =>
    Object.values((kind === "query" ? schema.getQueryType() : schema.getMutationType())!.getFields()).map((field) => ({ kind, field })),
  );
  return fc.constantFrom(...roots).chain(({ kind, field }) => {
    const named = getNamedType(field.type);
    const selection = isObjectType(named) ? selectionFor(named, 1) : fc.constant("");
    return fc.tuple(selection, argumentValues(field)).map(([selected, variables]) => {
      const args = field.args.filter((arg) => arg.name in variables || isNonNullType(arg.type));
      const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
      const passed = args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
      return {
        query: `${kind}${definitions ? `(${definitions})` : ""} { ${field.name}${passed ? `(${passed})` : ""} ${selected} }`,
        variables,
      };
    });
  });
}

function argumentValues(field: GraphQLField<unknown, unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(field.args.map((arg) => [arg.name, valueFor(arg.type)])), { requiredKeys: [] });
}

const GRAPHQL_TOKENS = ["{", "}", "(", ")", "[", "]", ":", "$", "...", "@include", "@skip", "query", "mutation", "subscription", "fragment", "on", "=", "!", "\"", "1", "me", "courses", "items", "id", "limit:", "__schema", "#", "\n"];

/** Documents that are almost GraphQL: token soup, random text, truncations. */
const malformedDocument = fc.oneof(
  fc.array(fc.constantFrom(...GRAPHQL_TOKENS), { maxLength: 60 }).map((tokens) => tokens.join(" ")),
  fc.string({ maxLength: 300, unit: "binary" }),
  fc.constantFrom("{ courses { items { id } } }", "mutation { logoutAll }", "query Q($id: ID!) { course(id: $id) { title } }").chain((q) =>
    fc.nat({ max: q.length }).map((cut) => q.slice(0, cut)),
  ),
);

/** Bodies that are not a GraphQL request at all, or one with fields of the wrong type. */
const malformedBody = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc
    .record({
      query: fc.oneof(malformedDocument, fc.jsonValue({ maxDepth: 2 })),
      variables: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
      operationName: fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.constant(undefined)),
      extensions: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)),
    }, { requiredKeys: [] })
    .map((body) => JSON.stringify(body)),
);

// ---- the run ------------------------------------------------------------------------------

interface Case {
  body: string;
  auth: boolean;
}

/** What no answer may contain in production: stack frames, driver or file details. */
const INTERNALS = /\n\s+at |stacktrace|node_modules|\/src\/|Mongo(Server)?Error|E11000|Cast to ObjectId|mongodb:\/\//;

function problemWith(response: RawResponse): string | undefined {
  if (response.status >= 500) return `status ${response.status}`;
  if (INTERNALS.test(response.text)) return "an internal detail in the answer";
  for (const error of response.body?.errors ?? []) {
    if (error.extensions?.code === "INTERNAL_SERVER_ERROR") return "an unexpected error";
    if (/Did you mean/.test(error.message)) return "a field suggestion in production";
  }
  return undefined;
}

it("survives thousands of malformed and random operations: no 5xx, no hang, no leak, data intact", async () => {
  const cases: Case[] = [
    ...fc.sample(malformedBody, { seed: SEED, numRuns: CASES_PER_KIND }).map((body) => ({ body, auth: false })),
    ...fc.sample(malformedDocument, { seed: SEED + 1, numRuns: CASES_PER_KIND }).map((query) => ({ body: JSON.stringify({ query }), auth: false })),
    ...fc.sample(fc.tuple(operation(), fc.boolean()), { seed: SEED + 2, numRuns: CASES_PER_KIND }).map(([op, auth]) => ({ body: JSON.stringify(op), auth })),
  ];
  const deadline = Date.now() + TIME_BUDGET_MS;
  const problems: string[] = [];
  let sent = 0;
  let next = 0;
  const worker = async () => {
    while (next < cases.length && Date.now() < deadline && problems.length < 5) {
      const index = next++;
      const { body, auth } = cases[index]!;
      const response = await post(server.graphqlUrl, body, { ...bearer(auth ? token : undefined) }, REQUEST_TIMEOUT_MS).catch(
        (error: Error) => ({ status: 0, text: `no answer: ${error.message}` }) as RawResponse,
      );
      sent++;
      const problem = response.status === 0 ? response.text : problemWith(response);
      if (problem) problems.push(`case ${index} (seed ${SEED}): ${problem}\nrequest: ${body.slice(0, 500)}\nanswer: ${response.text.slice(0, 500)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));

  expect(problems).toEqual([]);
  expect(sent).toBeGreaterThanOrEqual(Math.min(cases.length, 1_000));

  // The fuzzer may have signed the user out everywhere (logoutAll): sign in again to look.
  const again = await must(undefined, "mutation { login(input: { email: \"fuzz@example.com\", password: \"fuzz password 1\" }) { accessToken } }");
  const fresh = (again.login as { accessToken: string }).accessToken;
  const kept = await must(fresh, "query($id: ID!) { course(id: $id) { title chapters { title content } } me { email } }", { id: courseId });
  expect(kept).toEqual({
    course: { title: "Kept", chapters: [{ title: "One", content: "Kept content" }] },
    me: { email: "fuzz@example.com" },
  });
  const health = await (await fetch(`${server.url}/health/detailed`)).json();
  expect(health).toMatchObject({ status: "healthy" });
}, 60_000);

it("gives no field suggestions in production, over HTTP and websockets", async () => {
  const query = "{ coursez { total } }";
  const overHttp = await post(server.graphqlUrl, { query });
  expect(overHttp.body?.errors?.[0]?.message).toBe('Cannot query field "coursez" on type "Query".');

  const client = wsClient(server.wsUrl);
  try {
    const outcome = await client.iterate({ query }).next().catch((errors: unknown) => errors);
    expect(JSON.stringify(outcome)).toContain('Cannot query field \\"coursez\\" on type \\"Query\\".\"');
  } finally {
    await client.dispose();
  }
});

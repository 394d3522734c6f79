import type { Client } from "graphql-ws";
import { CourseDocument } from "../generated/graphql";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { nextResult, wsClient } from "../helpers/ws";

let server: TestServer;
let gql: ReturnType<typeof graphqlClient>;
let client: Client;

beforeAll(async () => {
  server = await startTestServer();
  gql = graphqlClient(server.graphqlUrl);
  client = wsClient(server.wsUrl);
});
afterAll(async () => {
  await client.dispose();
  await server.stop();
});

async function post(query: string, variables?: Record<string, unknown>) {
  const response = await fetch(server.graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] }) };
}

it("declares ids as GraphQL's ID: a well-formed unknown id is simply not found", async () => {
  const response = await gql(CourseDocument, { id: "0123456789abcdef01234567" });
  expect(response.errors).toBeUndefined();
  expect(response.data).toEqual({ course: null });
});

it("refuses a variable declared with the old ObjectID scalar, which no longer exists", async () => {
  const response = await post("query($id: ObjectID!) { course(id: $id) { id } }", { id: "0123456789abcdef01234567" });
  expect(errorCode(response)).toBe("GRAPHQL_VALIDATION_FAILED");
});

it("answers a malformed id in a variable with BAD_USER_INPUT naming the variable", async () => {
  const response = await post("query($courseId: ID!) { course(id: $courseId) { id } }", { courseId: "not-an-id" });
  expect(response.status).toBe(400);
  expect(errorCode(response)).toBe("BAD_USER_INPUT");
  expect(response.errors?.[0]?.message).toMatch(/\$courseId.*not-an-id/);
});

it("names the input field of a malformed id nested in an input object", async () => {
  const response = await post("mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", {
    input: { courseId: "12345", title: "A chapter", content: "Text" },
  });
  expect(errorCode(response)).toBe("BAD_USER_INPUT");
  expect(response.errors?.[0]?.message).toMatch(/input\.courseId/);
});

it("answers a malformed id written in the query with BAD_USER_INPUT, located at the literal", async () => {
  const response = await post('{ course(id: "not-an-id") { id } }');
  expect(response.status).toBe(400);
  expect(errorCode(response)).toBe("BAD_USER_INPUT");
  expect(response.errors?.[0]?.message).toMatch(/not-an-id/);
  expect(response.errors?.[0]).toHaveProperty("locations");
});

it("gives the same codes over websockets", async () => {
  const literal = client.iterate({ query: '{ course(id: "not-an-id") { id } }' });
  await expect(nextResult(literal)).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
  const variable = client.iterate({ query: "query($id: ID!) { course(id: $id) { id } }", variables: { id: "not-an-id" } });
  const result = await nextResult(variable).catch((errors: unknown) => ({ errors }));
  expect(result.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "BAD_USER_INPUT" }) })]);
});

import { parse } from "graphql";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { TypenameDocument } from "../generated/graphql";

let mongo: EmbeddedMongo;
let server: TestServer;

beforeAll(async () => {
  // Production refuses to start its own embedded engine: give it one as if it were MongoDB.
  mongo = await startEmbeddedMongo({ port: 0 });
  server = await startTestServer({
    NODE_ENV: "production",
    MONGODB_URL: mongo.uri,
    JWT_SECRET_KEY: "production-secret-with-at-least-32-chars",
  });
});
afterAll(async () => {
  await server.stop();
  await mongo.stop();
});

it("serves no IDE and no landing page unless GRAPHQL_IDE enables one", async () => {
  const html = await (await fetch(server.graphqlUrl, { headers: { accept: "text/html" } })).text();
  expect(html).not.toContain("apollographql.com");
  expect(html).not.toContain("/ide/ruru.js");
});

it("turns introspection off by default but keeps answering queries", async () => {
  const gql = graphqlClient(server.graphqlUrl);
  expect((await gql(TypenameDocument)).data).toEqual({ __typename: "Query" });
  const introspection = await gql(parse("{ __schema { queryType { name } } }"));
  expect(errorCode(introspection)).toBe("GRAPHQL_VALIDATION_FAILED");
});

it("says which setting turns introspection on: GRAPHQL_INTROSPECTION, not Apollo's option", async () => {
  const introspection = await graphqlClient(server.graphqlUrl)(parse("{ __type(name: \"Query\") { name } }"));
  const messages = (introspection.errors ?? []).map((error) => error.message);
  expect(messages).toEqual([expect.stringContaining("set GRAPHQL_INTROSPECTION=true")]);
  expect(messages.join()).not.toMatch(/ApolloServer|introspection: true/);
});

it("sends no CORS headers unless ALLOWED_ORIGINS lists the origin", async () => {
  const response = await fetch(`${server.url}/health`, { headers: { origin: "https://anywhere.example.com" } });
  expect(response.headers.get("access-control-allow-origin")).toBeNull();
});

import { readFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { SCHEMA_FILE } from "../src/server/schema";

// Required, not imported: graphql-yoga's type declarations pull the DOM library into the whole
// program, and that retypes Node's Buffer against Blob in code that has nothing to do with Yoga.
const { createYoga } = require("graphql-yoga") as {
  createYoga(options: { schema: GraphQLSchema; graphiql: boolean; logging: boolean; landingPage: boolean }): RequestListener;
};

/**
 * The yardsticks of the "graphql read path" bench, in their own process as the API is in its
 * own: bare Apollo Server 5 and GraphQL Yoga over the API's committed schema, each root field
 * answering the API's recorded response from memory. Argument: a JSON file of
 * `{ rootField: recordedValue }`. Prints `{"apollo": url, "yoga": url}` once both listen.
 */
async function main(): Promise<void> {
  const recorded = JSON.parse(readFileSync(process.argv[2], "utf8")) as Record<string, unknown>;
  const schema = buildSchema(readFileSync(SCHEMA_FILE, "utf8"));
  const fields = schema.getQueryType()!.getFields();
  for (const [name, value] of Object.entries(recorded)) {
    const resolve: GraphQLFieldResolver<unknown, unknown> = () => value;
    fields[name].resolve = resolve;
  }

  const apollo = new ApolloServer({ schema });
  const { url: apolloUrl } = await startStandaloneServer(apollo, { listen: { port: 0, host: "127.0.0.1" } });

  const yoga = createYoga({ schema, graphiql: false, logging: false, landingPage: false });
  const yogaServer = createServer(yoga);
  await new Promise<void>((resolve) => yogaServer.listen(0, "127.0.0.1", resolve));
  const yogaUrl = `http://127.0.0.1:${(yogaServer.address() as AddressInfo).port}/graphql`;

  process.stdout.write(`${JSON.stringify({ apollo: apolloUrl, yoga: yogaUrl })}\n`);
  process.once("SIGTERM", () => process.exit(0));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

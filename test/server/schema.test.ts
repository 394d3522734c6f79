import "reflect-metadata";
import { readFileSync } from "node:fs";
import { createPubSub } from "../../src/infra/pubsub";
import { SCHEMA_FILE, buildAppSchema, printStableSchema } from "../../src/server/schema";

it("schema.graphql matches the schema the resolvers build", async () => {
  const built = printStableSchema(await buildAppSchema(createPubSub()));
  const committed = readFileSync(SCHEMA_FILE, "utf8");
  if (committed !== built) {
    throw new Error("schema.graphql is stale: run `npm run schema` (then `npm run codegen`) and commit the result");
  }
});

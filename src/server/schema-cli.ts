import "reflect-metadata";
import { writeFileSync } from "node:fs";
import { createPubSub } from "../infra/pubsub";
import { SCHEMA_FILE, buildAppSchema, printStableSchema } from "./schema";

async function main(): Promise<void> {
  const schema = await buildAppSchema(createPubSub());
  writeFileSync(SCHEMA_FILE, printStableSchema(schema));
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`schema: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});

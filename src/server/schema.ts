import { resolve } from "node:path";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { buildSchema, type NonEmptyArray } from "type-graphql";
import type { AppPubSub } from "../infra/pubsub";
import { scalarsMap } from "../lib/scalars";
import { validateArgument } from "../lib/validation";
import { authChecker } from "../modules/auth/auth-checker";
import { MODULES } from "./modules";
import { callFieldResolversDirectly, readPlainFieldsDirectly, ResolverInstances } from "./plain-fields";

/** The committed SDL at the repository root (same relative place from src/ and dist/). */
export const SCHEMA_FILE = resolve(__dirname, "../../schema.graphql");

/** The GraphQL schema of the whole API, built from every module's resolvers. */
export async function buildAppSchema(pubSub: AppPubSub): Promise<GraphQLSchema> {
  const instances = new ResolverInstances();
  const schema = await buildSchema({
    resolvers: MODULES.flatMap((module) => module.resolvers) as unknown as NonEmptyArray<Function>,
    authChecker,
    pubSub,
    scalarsMap,
    validateFn: validateArgument,
    container: instances,
  });
  readPlainFieldsDirectly(schema);
  callFieldResolversDirectly(schema, instances);
  return schema;
}

/** SDL sorted by name, so the committed schema.graphql only changes when the schema does. */
export function printStableSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + "\n";
}

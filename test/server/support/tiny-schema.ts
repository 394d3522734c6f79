import { GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString } from "graphql";
import type { Context } from "../../../src/lib/context";

/** A schema with one subscription field `tick` fed by `source`; `resolved` sees each event's context. */
export function makeExecutableSchemaForTest(source: AsyncIterable<number>, resolved: (context: Context) => void): GraphQLSchema {
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: "Query", fields: { ok: { type: GraphQLString, resolve: () => "ok" } } }),
    subscription: new GraphQLObjectType({
      name: "Subscription",
      fields: {
        tick: {
          type: GraphQLInt,
          subscribe: () => source,
          resolve: (value: number, _args: unknown, context: Context) => {
            resolved(context);
            return value;
          },
        },
      },
    }),
  });
}

import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError } from "graphql";
import { ErrorCode } from "../../lib/errors";
import type { Context } from "../../lib/context";

/**
 * How deep an operation's variables may nest. The deepest input the schema takes is profile
 * preferences (20 levels, checked later with a precise message) inside its input object; past
 * this, graphql's recursive coercion (and our validators) would run out of stack on 5,000 levels.
 */
export const MAX_VARIABLE_DEPTH = 32;

/** The depth of `value` up to just past `max`, without recursion (the point is not to overflow). */
function depthUpTo(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > max) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** BAD_USER_INPUT (400) when the variables nest deeper than MAX_VARIABLE_DEPTH, else null. */
export function variablesTooDeep(variables: unknown): GraphQLError | null {
  if (depthUpTo(variables, MAX_VARIABLE_DEPTH + 1) <= MAX_VARIABLE_DEPTH + 1) return null;
  return new GraphQLError(`Variables are nested deeper than ${MAX_VARIABLE_DEPTH} levels`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, maxDepth: MAX_VARIABLE_DEPTH, http: { status: 400 } },
  });
}

/** Over HTTP: checked before anything coerces the variables (the cost plugin does, after this one). */
export function variablesDepthPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, contextValue }) {
          const error = variablesTooDeep(request.variables);
          if (!error) return;
          contextValue.log.warn({ maxDepth: MAX_VARIABLE_DEPTH }, "graphql: variables nested too deep, refused before coercion");
          throw error;
        },
      };
    },
  };
}

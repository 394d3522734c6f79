import { ApolloServerErrorCode } from "@apollo/server/errors";
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode, type ValidationRule } from "graphql";

/**
 * Root fields whose work does not shrink with what they select, so aliases multiply it: each
 * password operation is a bcrypt hash (about 250 ms of a thread-pool slot at cost 12), each
 * `search` a scan of the caller's passages. One request gets one budget for each.
 */
const BUDGETS: { fields: ReadonlySet<string>; max: number; what: string }[] = [
  { fields: new Set(["login", "register", "changePassword"]), max: 1, what: "password operation (login, register, changePassword)" },
  { fields: new Set(["search"]), max: 3, what: "search" },
];

/** Refuses an operation that selects more of these root fields (aliases and fragments counted) than its budget. */
export const operationBudgets: ValidationRule = (context) => {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of context.getDocument().definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return {
    OperationDefinition(operation) {
      // Fields with the same response key are merged and run once: each field's distinct keys are what run.
      const keys = new Map<string, Set<string>>();
      const visited = new Set<string>();
      const walk = (selectionSet: SelectionSetNode) => {
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) {
            const name = selection.name.value;
            if (!keys.has(name)) keys.set(name, new Set());
            keys.get(name)!.add(selection.alias?.value ?? name);
          } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
          else if (!visited.has(selection.name.value)) {
            visited.add(selection.name.value);
            const fragment = fragments.get(selection.name.value);
            if (fragment) walk(fragment.selectionSet);
          }
        }
      };
      walk(operation.selectionSet);
      for (const budget of BUDGETS) {
        let used = 0;
        for (const field of budget.fields) used += keys.get(field)?.size ?? 0;
        if (used > budget.max) {
          context.reportError(
            new GraphQLError(`At most ${budget.max} ${budget.what} per request; this one asks for ${used}`, {
              nodes: [operation],
              extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED },
            }),
          );
        }
      }
    },
  };
};

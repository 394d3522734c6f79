import { createParameterDecorator, type ResolverData } from "type-graphql";

/** What `@Root()` gives a field resolver: the parent, as is. */
export const parentOf = ({ root }: ResolverData): unknown => root;

/**
 * The parent object of a field resolver, as the parent resolver returned it. type-graphql's own
 * `@Root()` copies the parent into a new instance of the parameter's class on every call
 * (`new Course()` and `Object.assign`), once per field per item of a list: parents here are the
 * plain documents read from the database, which no resolver needs as class instances.
 */
export function Root(): ReturnType<typeof createParameterDecorator> {
  return createParameterDecorator(parentOf);
}

import { GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { DateTimeResolver, EmailAddressResolver, URLResolver } from "graphql-scalars";
import { Types } from "mongoose";

const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

/**
 * Thrown by the `ID` scalar for input that cannot be a MongoDB id. graphql-js wraps it (naming
 * the variable, or locating the literal); `isInvalidIdError` lets the error formatters give it
 * the BAD_USER_INPUT code wherever graphql-js put it.
 */
export class InvalidIdError extends Error {
  constructor(got: string) {
    super(`an ID is 24 hexadecimal characters (got ${got})`);
    this.name = "InvalidIdError";
  }
}

/** True when `error` is, or was caused by, an id the `ID` scalar refused. */
export function isInvalidIdError(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = (cause as { originalError?: unknown }).originalError) {
    if (cause instanceof InvalidIdError) return true;
  }
  return false;
}

function parseId(value: unknown): string {
  if (typeof value === "string" && OBJECT_ID.test(value)) return value.toLowerCase();
  throw new InvalidIdError(typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : typeof value);
}

function literalOf(ast: ValueNode): unknown {
  return ast.kind === Kind.STRING || ast.kind === Kind.INT ? ast.value : ast.kind;
}

/**
 * GraphQL's own `ID` (the name every client expects), carrying MongoDB ids: ObjectIds go out as
 * their 24-hex-digit string, and input must be one, so resolvers get a valid id string.
 * It replaces graphql-js's built-in ID: use it, never type-graphql's `ID`, or the schema would
 * hold two types named ID.
 */
export const IdScalar = new GraphQLScalarType({
  name: "ID",
  description: "A unique id: 24 hexadecimal characters (a MongoDB ObjectId), sent and received as a string.",
  serialize(value) {
    if (value instanceof Types.ObjectId) return value.toHexString();
    if (typeof value === "string") return value;
    throw new TypeError(`ID cannot represent ${typeof value}`);
  },
  parseValue: parseId,
  parseLiteral: (ast) => parseId(literalOf(ast)),
});

/** ISO-8601 date-time strings; `Date` fields map to it without an explicit type function. */
export const DateTimeScalar = DateTimeResolver;
/** Use as `@Field(() => EmailAddressScalar)` on e-mail fields and arguments. */
export const EmailAddressScalar = EmailAddressResolver;
/** Use as `@Field(() => UrlScalar)` on link fields and arguments. */
export const UrlScalar = URLResolver;

/** For type-graphql's `scalarsMap`: which scalar a reflected TypeScript type becomes. */
export const scalarsMap = [
  { type: Date, scalar: DateTimeScalar },
  { type: Types.ObjectId, scalar: IdScalar },
];

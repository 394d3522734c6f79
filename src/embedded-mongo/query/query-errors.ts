import { MongoCommandError } from "../errors";

/** Failures mongod reports with codes outside the shared list. */
export const pathNotViable = (message: string) => new MongoCommandError(28, "PathNotViable", message);
export const emptyFieldName = (message: string) => new MongoCommandError(56, "EmptyFieldName", message);
export const notSingleValueField = (message: string) => new MongoCommandError(54, "NotSingleValueField", message);
export const dollarPrefixedFieldName = (message: string) => new MongoCommandError(52, "DollarPrefixedFieldName", message);
/** mongod's numbered assertion codes, whose codeName is `Location<code>`. */
export const locationError = (code: number, message: string) => new MongoCommandError(code, `Location${code}`, message);

import { getMetadataStorage, validateOrReject, validateSync, type ValidationError, type ValidatorOptions } from "class-validator";
import { ArgumentValidationError, type ClassType } from "type-graphql";

/** As type-graphql validates by default; submitted values (passwords among them) kept out of errors and logs. */
const SAFE_ERRORS: ValidatorOptions = { forbidUnknownValues: false, validationError: { target: false, value: false } };
const OPTIONS: ValidatorOptions = { ...SAFE_ERRORS, skipMissingProperties: true };

/** Whether a class (or one it extends) declares class-validator constraints; decorators run at import, so once per class. */
const constrained = new Map<Function, boolean>();

function hasConstraints(type: Function): boolean {
  let known = constrained.get(type);
  if (known === undefined) {
    known = getMetadataStorage().getTargetValidationMetadatas(type, "", false, false).length > 0;
    constrained.set(type, known);
  }
  return known;
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/**
 * type-graphql's `validateFn`: validates an argument as its default would, but an input without
 * constraints (most of the read path's: ids, filters, pages) costs nothing, where the default
 * loads class-validator and walks the object for every argument of every request.
 */
export async function validateArgument(value: unknown): Promise<void> {
  if (!isObject(value)) return;
  const items = (Array.isArray(value) ? value : [value]).filter((item): item is object => isObject(item) && hasConstraints(item.constructor));
  if (items.length === 0) return;
  try {
    await Promise.all(items.map((item) => validateOrReject(item, OPTIONS)));
  } catch (errors) {
    throw new ArgumentValidationError(errors as ValidationError[]);
  }
}

/**
 * type-graphql validates a subscription's arguments per event, not when subscribing; call this
 * in `topicId`/`subscribe` so a bad subscription fails at once, with the same BAD_USER_INPUT error.
 */
export function validArgs<T extends object>(argsType: ClassType<T>, args: unknown): T {
  const instance = Object.assign(new argsType(), args);
  const errors = validateSync(instance, SAFE_ERRORS);
  if (errors.length > 0) throw new ArgumentValidationError(errors);
  return instance;
}

/** For `@Matches(NOT_BLANK, …)`: at least one character that is not white space. */
export const NOT_BLANK = /\S/;

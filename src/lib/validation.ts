import { validateSync } from "class-validator";
import { ArgumentValidationError, type ClassType } from "type-graphql";

/**
 * type-graphql validates a subscription's arguments per event, not when subscribing; call this
 * in `topicId`/`subscribe` so a bad subscription fails at once, with the same BAD_USER_INPUT error.
 */
export function validArgs<T extends object>(argsType: ClassType<T>, args: unknown): T {
  const instance = Object.assign(new argsType(), args);
  const errors = validateSync(instance, { forbidUnknownValues: false, validationError: { target: false, value: false } });
  if (errors.length > 0) throw new ArgumentValidationError(errors);
  return instance;
}

/** For `@Matches(NOT_BLANK, …)`: at least one character that is not white space. */
export const NOT_BLANK = /\S/;

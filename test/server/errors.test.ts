import { GraphQLError, locatedError } from "graphql";
import { ArgumentValidationError } from "type-graphql";
import { ValidationError } from "class-validator";
import { raise } from "../../src/lib/errors";
import { formatError, isUnexpected, withRequestId } from "../../src/server/errors";

/** What graphql-js hands to formatError for an error thrown in a resolver at `course.title`. */
function thrownInResolver(error: unknown): GraphQLError {
  return locatedError(error, undefined, ["course", "title"]);
}

function validationError(property: string, constraints: Record<string, string>, children: ValidationError[] = []) {
  return Object.assign(new ValidationError(), { property, constraints, children });
}

it("masks unexpected errors, keeping the path", () => {
  const error = thrownInResolver(new Error("connection string mongodb://admin:hunter2@db leaked"));
  expect(isUnexpected(error)).toBe(true);
  expect(formatError(error.toJSON(), error)).toEqual({
    message: "Internal server error",
    path: ["course", "title"],
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
});

it("passes errors raised on purpose through, with their code and details", () => {
  let raised: unknown;
  try {
    raise("NOT_FOUND", "Course not found", { id: "42" });
  } catch (error) {
    raised = error;
  }
  const error = thrownInResolver(raised);
  expect(isUnexpected(error)).toBe(false);
  expect(formatError(error.toJSON(), error)).toMatchObject({
    message: "Course not found",
    extensions: { code: "NOT_FOUND", id: "42" },
  });
});

it("turns argument validation errors into BAD_USER_INPUT with dotted field paths", () => {
  const error = thrownInResolver(
    new ArgumentValidationError([
      validationError("title", { isLength: "title is too long" }),
      validationError("settings", {}, [validationError("level", { max: "level must not be greater than 5" })]),
    ]),
  );
  expect(formatError(error.toJSON(), error).extensions).toEqual({
    code: "BAD_USER_INPUT",
    fields: [
      { field: "title", message: "title is too long" },
      { field: "settings.level", message: "level must not be greater than 5" },
    ],
  });
});

it("adds the request id to internal errors only", () => {
  const internal = { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  expect(withRequestId(internal, "req-1").extensions).toEqual({ code: "INTERNAL_SERVER_ERROR", requestId: "req-1" });
  const notFound = { message: "Course not found", extensions: { code: "NOT_FOUND" } };
  expect(withRequestId(notFound, "req-1")).toBe(notFound);
});

import { getMetadataStorage as validatorMetadata } from "class-validator";
import type { ValidationMetadata } from "class-validator/types/metadata/ValidationMetadata";
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
} from "graphql";
import { getMetadataStorage as typeGraphqlMetadata } from "type-graphql";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { startTestServer, type TestServer } from "../helpers/server";
import { post, bearer } from "../hardening/support";
import { buildAppSchema } from "../../src/server/schema";
import { openPubSub } from "../../src/infra/pubsub";
import { createLogger } from "../../src/lib/logger";

/**
 * Walks every argument of every query and mutation down to every field of every input object,
 * and for each class-validator rule on such a field sends a value that breaks that rule alone,
 * through the real server as an admin (so no role check stops it first). The answer must be
 * BAD_USER_INPUT naming the field: a rule that is not enforced where its input is nested (in an
 * argument class, another input or a list) lets the resolver run instead.
 */

const OBJECT_ID = "0123456789abcdef01234567";
/** Rules the GraphQL types already enforce before any class is made, and markers that are not rules. */
const NOT_RULES = new Set(["isString", "isInt", "isObject", "isOptional"]);

interface Rule {
  name: string;
  constraints: unknown[];
  each: boolean;
}

interface Case {
  operation: "query" | "mutation";
  field: GraphQLField<unknown, unknown>;
  /** Argument name, then input field names. */
  path: string[];
  rule: Rule;
  variables: Record<string, unknown>;
}

const classOfInput = new Map<string, Function>();

function rulesOf(type: GraphQLInputObjectType, field: string): Rule[] {
  const target = classOfInput.get(type.name);
  if (!target) throw new Error(`no class found for input type ${type.name}`);
  const metadata: ValidationMetadata[] = validatorMetadata().getTargetValidationMetadatas(target, "", true, false);
  return metadata
    .filter((rule) => rule.propertyName === field && rule.name && !NOT_RULES.has(rule.name))
    .map((rule) => ({ name: rule.name as string, constraints: rule.constraints ?? [], each: rule.each ?? false }));
}

/** A value of `type` that passes every rule given (and the scalars' own checks). */
function validValue(type: GraphQLInputType, rules: Rule[] = [], depth = 0): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const min = rules.find((rule) => rule.name === "arrayMinSize")?.constraints[0] as number | undefined;
    return Array.from({ length: Math.max(1, min ?? 1) }, () => validValue(nullable.ofType, rules.filter((rule) => rule.each), depth));
  }
  if (isEnumType(nullable)) return nullable.getValues()[0].name;
  if (isInputObjectType(nullable)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(nullable.getFields())) {
      if (isNonNullType(field.type) && field.defaultValue === undefined) value[field.name] = validValue(field.type, rulesOf(nullable, field.name), depth + 1);
    }
    return value;
  }
  if (!isScalarType(nullable)) throw new Error(`unexpected input type ${String(type)}`);
  switch (nullable.name) {
    case "ID":
      return OBJECT_ID;
    case "Int":
    case "Float": {
      const min = rules.find((rule) => rule.name === "min")?.constraints[0] as number | undefined;
      return min ?? 1;
    }
    case "Boolean":
      return false;
    case "DateTime":
      return new Date().toISOString();
    case "JSON":
    case "JSONObject":
      return {};
    default: {
      if (rules.some((rule) => rule.name === "isEmail")) return "someone@example.com";
      const lengths = rules.filter((rule) => ["isLength", "minLength"].includes(rule.name));
      const min = Math.max(1, ...lengths.map((rule) => rule.constraints[0] as number));
      return "x".repeat(min);
    }
  }
}

/** A value breaking `rule` (and no other rule of the field), or undefined for a rule this test cannot break alone. */
function breaking(rule: Rule, type: GraphQLInputType, rules: Rule[]): unknown {
  const nullable = getNullableType(type);
  const item = isListType(nullable) ? nullable.ofType : nullable;
  const one = (value: unknown) => (rule.each && isListType(nullable) ? [value] : value);
  const [first, second] = rule.constraints as [number, number];
  switch (rule.name) {
    case "maxLength":
      return one("x".repeat(first + 1));
    case "isLength":
      return one("x".repeat(second + 1));
    case "minLength":
      return first > 0 ? one("") : undefined;
    case "max":
      return one(first + 1);
    case "min":
      return one(first - 1);
    case "matches":
      // NOT_BLANK and similar "must contain something" rules.
      return one(" ".repeat(Math.max(1, ...rules.filter((r) => r.name === "isLength").map((r) => r.constraints[0] as number))));
    case "arrayMaxSize":
      return Array.from({ length: first + 1 }, (_, i) => {
        const valid = validValue(item, rules.filter((r) => r.each));
        return typeof valid === "string" ? `${valid}${i}`.slice(-Math.max(valid.length, String(i).length)) : valid;
      });
    case "arrayMinSize":
      return first > 0 ? [] : undefined;
    case "isEmail":
      return one("not an e-mail");
    case "isUrl":
      return one("not a url");
    case "isTag":
      return one("   ");
    default:
      return undefined;
  }
}

function setAt(root: Record<string, unknown>, path: string[], value: unknown): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    node = (Array.isArray(next) ? next[0] : next) as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
}

function casesOf(schema: GraphQLSchema): { cases: Case[]; skipped: string[] } {
  const cases: Case[] = [];
  const skipped: string[] = [];
  const roots = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
  ] as const;
  for (const [operation, root] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      // A file upload cannot travel in a JSON request; those arguments are covered by tests/uploads.
      if (field.args.some((arg) => getNamedType(arg.type).name === "Upload")) continue;
      const base = () => Object.fromEntries(field.args.filter((arg) => isNonNullType(arg.type)).map((arg) => [arg.name, validValue(arg.type)]));
      const visit = (type: GraphQLInputObjectType, path: string[], seen: Set<string>) => {
        if (seen.has(type.name)) return;
        for (const inner of Object.values(type.getFields())) {
          const innerPath = [...path, inner.name];
          const rules = rulesOf(type, inner.name);
          for (const rule of rules) {
            const value = breaking(rule, inner.type, rules);
            if (value === undefined) {
              skipped.push(`${type.name}.${inner.name} ${rule.name}`);
              continue;
            }
            const variables = base();
            // Make every input object on the way exist, then put the bad value at the end.
            for (let depth = 1; depth < innerPath.length; depth++) {
              const parentPath = innerPath.slice(0, depth);
              const existing = parentPath.reduce<unknown>((node, key) => {
                const next = (node as Record<string, unknown> | undefined)?.[key];
                return Array.isArray(next) ? next[0] : next;
              }, variables);
              if (existing === undefined) setAt(variables, parentPath, validValue(argOrFieldType(field, parentPath)));
            }
            setAt(variables, innerPath, value);
            cases.push({ operation, field, path: innerPath, rule, variables });
          }
          const named = getNamedType(inner.type);
          if (isInputObjectType(named)) visit(named, innerPath, new Set([...seen, type.name]));
        }
      };
      for (const arg of field.args) {
        const named = getNamedType(arg.type);
        if (isInputObjectType(named)) visit(named, [arg.name], new Set());
      }
    }
  }
  return { cases, skipped };
}

function argOrFieldType(field: GraphQLField<unknown, unknown>, path: string[]): GraphQLInputType {
  let type: GraphQLInputType = (field.args.find((arg) => arg.name === path[0]) as GraphQLArgument).type;
  for (const key of path.slice(1)) type = (getNamedType(type) as GraphQLInputObjectType).getFields()[key].type;
  return type;
}

function documentOf(testCase: Case): string {
  const { field, operation } = testCase;
  const declared = field.args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = field.args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  const returned = getNamedType(field.type);
  const selection = isObjectType(returned) || !isScalarType(returned) && !isEnumType(returned) ? " { __typename }" : "";
  return `${operation}${declared ? `(${declared})` : ""} { ${field.name}${passed ? `(${passed})` : ""}${selection} }`;
}

let server: TestServer;
let token: string;
let schema: GraphQLSchema;

beforeAll(async () => {
  server = await startTestServer(ADMIN_ENV);
  token = await adminToken(server);
  const pubSub = await openPubSub(undefined, createLogger({ level: "silent" }));
  schema = await buildAppSchema(pubSub.pubSub);
  await pubSub.close();
  for (const input of typeGraphqlMetadata().inputTypes) classOfInput.set(input.name, input.target);
});
afterAll(() => server.stop());

it("enforces every input rule wherever its input object is nested", async () => {
  const { cases, skipped } = casesOf(schema);
  if (process.env.SHOW_FIGURES) console.log(`${cases.length} rule placements sent; rules this walk cannot break alone: ${skipped.join(", ")}`);
  // The reported holes, so that a walk that silently finds nothing cannot pass.
  const names = cases.map((c) => `${c.field.name}:${c.path.join(".")}:${c.rule.name}`);
  expect(names).toEqual(expect.arrayContaining(["updateChapter:input.content:maxLength", "updateChapter:input.durationMinutes:max", "courses:filter.tags:arrayMaxSize"]));
  expect(cases.length).toBeGreaterThan(50);

  const unenforced: string[] = [];
  for (const testCase of cases) {
    const response = await post(server.graphqlUrl, { query: documentOf(testCase), variables: testCase.variables }, bearer(token));
    const error = response.body?.errors?.[0];
    const fields = (error?.extensions?.fields ?? []) as { field: string }[];
    const leaf = testCase.path[testCase.path.length - 1];
    if (error?.extensions?.code !== "BAD_USER_INPUT" || !fields.some((f) => f.field.split(".").includes(leaf))) {
      unenforced.push(`${testCase.field.name}(${testCase.path.join(".")}) ${testCase.rule.name}: ${response.status} ${response.text.slice(0, 200)}`);
    }
  }
  expect(unenforced).toEqual([]);
});

import { commandError } from "../errors";
import { isNumeric, toNumber, valuesEqual } from "./bson-order";
import { hasBsonType, isKnownType } from "./bson-types";
import { isPlainObject, type Doc } from "./paths";
import { toRegExp } from "./regex";
import { valueKey } from "./value-key";

type Check = (v: unknown) => boolean;

const JSON_TYPES: Record<string, (v: unknown) => boolean> = {
  object: (v) => isPlainObject(v),
  array: Array.isArray,
  number: isNumeric,
  boolean: (v) => typeof v === "boolean",
  string: (v) => typeof v === "string",
  null: (v) => v === null,
};

const IGNORED = new Set(["title", "description", "$comment"]);

function count(keyword: string, v: unknown): number {
  const n = isNumeric(v) ? toNumber(v) : NaN;
  if (!Number.isInteger(n) || n < 0) throw commandError("FailedToParse", `$jsonSchema keyword '${keyword}' must be a non-negative integer`);
  return n;
}

function schemaOf(keyword: string, v: unknown): Doc {
  if (!isPlainObject(v)) throw commandError("TypeMismatch", `$jsonSchema keyword '${keyword}' must be an object`);
  return v;
}

function schemaList(keyword: string, v: unknown): Check[] {
  if (!Array.isArray(v) || v.length === 0) throw commandError("BadValue", `$jsonSchema keyword '${keyword}' must be a non-empty array`);
  return v.map((s) => compileSchema(schemaOf(keyword, s)));
}

/** A value check for one keyword; keywords about one type accept values of other types, as in mongod. */
function keywordCheck(keyword: string, arg: unknown, schema: Doc): Check | undefined {
  switch (keyword) {
    case "bsonType":
    case "type": {
      const types = Array.isArray(arg) ? arg : [arg];
      for (const t of types) {
        if (keyword === "type" ? !Object.hasOwn(JSON_TYPES, String(t)) : !isKnownType(t)) throw commandError("BadValue", `Unknown type name alias: ${String(t)}`);
      }
      return keyword === "type" ? (v) => types.some((t) => JSON_TYPES[String(t)](v)) : (v) => types.some((t) => hasBsonType(v, t as string));
    }
    case "enum":
      if (!Array.isArray(arg) || arg.length === 0) throw commandError("FailedToParse", "enum must be a non-empty array");
      return (v) => arg.some((e) => valuesEqual(v, e));
    case "minimum":
    case "maximum": {
      const exclusive = schema[keyword === "minimum" ? "exclusiveMinimum" : "exclusiveMaximum"] === true;
      const bound = toNumber(arg);
      return (v) => {
        if (!isNumeric(v)) return true;
        const n = toNumber(v);
        if (keyword === "minimum") return exclusive ? n > bound : n >= bound;
        return exclusive ? n < bound : n <= bound;
      };
    }
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return undefined;
    case "multipleOf": {
      const m = toNumber(arg);
      return (v) => !isNumeric(v) || toNumber(v) % m === 0;
    }
    case "minLength":
    case "maxLength": {
      const n = count(keyword, arg);
      return (v) => typeof v !== "string" || (keyword === "minLength" ? [...v].length >= n : [...v].length <= n);
    }
    case "pattern": {
      const re = toRegExp(arg);
      return (v) => typeof v !== "string" || re.test(v);
    }
    case "required": {
      if (!Array.isArray(arg)) throw commandError("FailedToParse", "$jsonSchema keyword 'required' must be an array");
      return (v) => !isPlainObject(v) || arg.every((k) => String(k) in v);
    }
    case "properties": {
      const props = Object.entries(schemaOf(keyword, arg)).map(([k, s]) => [k, compileSchema(schemaOf(k, s))] as const);
      return (v) => !isPlainObject(v) || props.every(([k, check]) => !Object.hasOwn(v, k) || check(v[k]));
    }
    case "patternProperties":
    case "additionalProperties":
      return keyword === "patternProperties" || !("patternProperties" in schema) ? propertiesRule(schema) : undefined;
    case "minProperties":
    case "maxProperties": {
      const n = count(keyword, arg);
      return (v) => !isPlainObject(v) || (keyword === "minProperties" ? Object.keys(v).length >= n : Object.keys(v).length <= n);
    }
    case "dependencies": {
      const rules = Object.entries(schemaOf(keyword, arg)).map(([k, dep]) => {
        const check: Check = Array.isArray(dep) ? (v) => dep.every((d) => String(d) in (v as Doc)) : compileSchema(schemaOf(k, dep));
        return [k, check] as const;
      });
      return (v) => !isPlainObject(v) || rules.every(([k, check]) => !Object.hasOwn(v, k) || check(v));
    }
    case "items": {
      if (Array.isArray(arg)) {
        const checks = arg.map((s) => compileSchema(schemaOf(keyword, s)));
        const extra = schema.additionalItems;
        const rest: Check = extra === false ? () => false : isPlainObject(extra) ? compileSchema(extra) : () => true;
        return (v) => !Array.isArray(v) || v.every((el, i) => (i < checks.length ? checks[i](el) : rest(el)));
      }
      const check = compileSchema(schemaOf(keyword, arg));
      return (v) => !Array.isArray(v) || v.every(check);
    }
    case "additionalItems":
      return undefined;
    case "minItems":
    case "maxItems": {
      const n = count(keyword, arg);
      return (v) => !Array.isArray(v) || (keyword === "minItems" ? v.length >= n : v.length <= n);
    }
    case "uniqueItems":
      return arg === true ? (v) => !Array.isArray(v) || new Set(v.map(valueKey)).size === v.length : undefined;
    case "allOf": {
      const checks = schemaList(keyword, arg);
      return (v) => checks.every((c) => c(v));
    }
    case "anyOf": {
      const checks = schemaList(keyword, arg);
      return (v) => checks.some((c) => c(v));
    }
    case "oneOf": {
      const checks = schemaList(keyword, arg);
      return (v) => checks.filter((c) => c(v)).length === 1;
    }
    case "not": {
      const check = compileSchema(schemaOf(keyword, arg));
      return (v) => !check(v);
    }
    default:
      if (IGNORED.has(keyword)) return undefined;
      throw commandError("FailedToParse", `Unknown $jsonSchema keyword: ${keyword}`);
  }
}

/** `properties`, `patternProperties` and `additionalProperties` together decide each field's schema. */
function propertiesRule(schema: Doc): Check {
  const named = new Set(Object.keys(isPlainObject(schema.properties) ? schema.properties : {}));
  const patterns = Object.entries(isPlainObject(schema.patternProperties) ? schema.patternProperties : {}).map(
    ([p, s]) => [toRegExp(p), compileSchema(schemaOf(p, s))] as const,
  );
  const additional = schema.additionalProperties;
  const otherwise: Check = additional === false ? () => false : isPlainObject(additional) ? compileSchema(additional) : () => true;
  return (v) => {
    if (!isPlainObject(v)) return true;
    return Object.entries(v).every(([k, value]) => {
      const matching = patterns.filter(([re]) => re.test(k));
      if (matching.length) return matching.every(([, check]) => check(value));
      return named.has(k) || otherwise(value);
    });
  };
}

export function compileSchema(schema: Doc): Check {
  const checks = Object.entries(schema)
    .map(([keyword, arg]) => keywordCheck(keyword, arg, schema))
    .filter((c): c is Check => c !== undefined);
  return (v) => checks.every((c) => c(v));
}

/** `$jsonSchema` (MongoDB's draft 4 dialect with `bsonType`) as a document predicate. */
export function compileJsonSchema(schema: unknown): (doc: Doc) => boolean {
  if (!isPlainObject(schema)) throw commandError("TypeMismatch", "$jsonSchema must be an object");
  return compileSchema(schema);
}

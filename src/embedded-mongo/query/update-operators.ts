import { Long, Timestamp } from "bson";
import { commandError } from "../errors";
import { arithmetic, zeroLike } from "./arithmetic";
import { bsonTypeOf, compareStrings, compareValues, isNumeric, toNumber, valuesEqual } from "./bson-order";
import { bsonTypeName } from "./bson-types";
import { compileFilter, equalityTest } from "./filter";
import { cloneDoc, isPlainObject, type Doc } from "./paths";
import { compileSort } from "./sort";
import { getAt, setAt, unsetAt } from "./update-paths";

export type OpContext = { docId: unknown; now: Date; variables?: Doc };
export type ApplyOp = (doc: Doc, segs: string[], operand: unknown, ctx: OpContext) => void;

function idText(ctx: OpContext): string {
  return ctx.docId === undefined ? "{}" : `{_id: ${JSON.stringify(ctx.docId)}}`;
}

function requireArray(value: unknown, op: string, segs: string[], ctx: OpContext): unknown[] {
  if (Array.isArray(value)) return value;
  const path = segs.join(".");
  const type = bsonTypeName(value);
  switch (op) {
    case "$pop":
      throw commandError("TypeMismatch", `Path '${path}' contains an element of non-array type '${type}'`);
    case "$addToSet":
      throw commandError("BadValue", `Cannot apply $addToSet to non-array field. Field named '${segs[segs.length - 1]}' has non-array type ${type}`);
    default:
      throw commandError("BadValue", `The field '${path}' must be an array but is of type ${type} in document ${idText(ctx)}`);
  }
}

function numericOperand(op: string, operand: unknown, segs: string[]): void {
  if (!isNumeric(operand)) {
    const verb = op === "$inc" ? "increment" : "multiply";
    throw commandError("TypeMismatch", `Cannot ${verb} with non-numeric argument: {${segs.join(".")}: ${JSON.stringify(operand)}}`);
  }
}

const arithmeticOp = (op: "$inc" | "$mul"): ApplyOp => (doc, segs, operand, ctx) => {
  numericOperand(op, operand, segs);
  const current = getAt(doc, segs);
  if (current === undefined) {
    setAt(doc, segs, op === "$inc" ? operand : zeroLike(operand));
    return;
  }
  if (!isNumeric(current)) {
    throw commandError("TypeMismatch", `Cannot apply ${op} to a value of non-numeric type. ${idText(ctx)} has the field '${segs[segs.length - 1]}' of non-numeric type ${bsonTypeName(current)}`);
  }
  setAt(doc, segs, arithmetic(current, operand, op === "$inc" ? "add" : "mul"));
};

const extremumOp = (sign: 1 | -1): ApplyOp => (doc, segs, operand) => {
  const current = getAt(doc, segs);
  if (current === undefined || compareValues(operand, current) * sign > 0) setAt(doc, segs, cloneDoc(operand));
};

/** `$each` modifiers of `$push` / `$addToSet`, or the single value to add. */
function eachOf(op: string, operand: unknown): { values: unknown[]; mods: Doc } {
  if (isPlainObject(operand) && "$each" in operand) {
    if (!Array.isArray(operand.$each)) {
      throw commandError("BadValue", `The argument to $each in ${op} must be an array but it was of type: ${bsonTypeName(operand.$each)}`);
    }
    for (const key of Object.keys(operand)) {
      const allowed = op === "$push" ? ["$each", "$slice", "$sort", "$position"] : ["$each"];
      if (!allowed.includes(key)) {
        throw commandError("BadValue", `Unrecognized clause in ${op}: ${key}`);
      }
    }
    return { values: operand.$each.map(cloneDoc), mods: operand };
  }
  return { values: [cloneDoc(operand)], mods: {} };
}

function integerModifier(name: string, v: unknown): number {
  const n = isNumeric(v) ? toNumber(v) : NaN;
  if (!Number.isInteger(n)) throw commandError("BadValue", `The value for ${name} must be an integer value but was given type: ${bsonTypeName(v)}`);
  return n;
}

function pushSort(spec: unknown): (a: unknown, b: unknown) => number {
  if (isNumeric(spec) && Math.abs(toNumber(spec)) === 1) {
    const dir = toNumber(spec);
    return (a, b) => compareValues(a, b) * dir;
  }
  if (isPlainObject(spec) && Object.keys(spec).length > 0) {
    const cmp = compileSort(spec);
    return (a, b) => cmp(isPlainObject(a) ? a : {}, isPlainObject(b) ? b : {});
  }
  throw commandError("BadValue", "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields");
}

const push: ApplyOp = (doc, segs, operand, ctx) => {
  const { values, mods } = eachOf("$push", operand);
  const current = getAt(doc, segs);
  const array = current === undefined ? [] : [...requireArray(current, "$push", segs, ctx)];
  let position = array.length;
  if (mods.$position !== undefined) {
    const p = integerModifier("$position", mods.$position);
    position = p < 0 ? Math.max(0, array.length + p) : Math.min(p, array.length);
  }
  array.splice(position, 0, ...values);
  if (mods.$sort !== undefined) array.sort(pushSort(mods.$sort));
  let result = array;
  if (mods.$slice !== undefined) {
    const n = integerModifier("$slice", mods.$slice);
    result = n >= 0 ? array.slice(0, n) : array.slice(Math.max(0, array.length + n));
  }
  setAt(doc, segs, result);
};

const addToSet: ApplyOp = (doc, segs, operand, ctx) => {
  const { values } = eachOf("$addToSet", operand);
  const current = getAt(doc, segs);
  const array = current === undefined ? [] : [...requireArray(current, "$addToSet", segs, ctx)];
  for (const v of values) if (!array.some((el) => valuesEqual(el, v))) array.push(v);
  setAt(doc, segs, array);
};

/** The element test of `$pull`: a query on elements, an operator condition, or equality. */
function pullTest(operand: unknown, ctx: OpContext): (el: unknown) => boolean {
  if (isPlainObject(operand)) {
    const first = Object.keys(operand)[0];
    if (first !== undefined && first.startsWith("$") && !["$and", "$or", "$nor", "$expr"].includes(first)) {
      const test = compileFilter({ e: operand }, { variables: ctx.variables });
      return (el) => test({ e: el });
    }
    const test = compileFilter(operand, { variables: ctx.variables });
    return (el) => isPlainObject(el) && test(el);
  }
  const eq = equalityTest(operand, { strCmp: compareStrings });
  return (el) => eq(el);
}

const pull: ApplyOp = (doc, segs, operand, ctx) => {
  const current = getAt(doc, segs);
  if (current === undefined) return;
  if (!Array.isArray(current)) throw commandError("BadValue", "Cannot apply $pull to a non-array value");
  const test = pullTest(operand, ctx);
  setAt(doc, segs, current.filter((el) => !test(el)));
};

const pullAll: ApplyOp = (doc, segs, operand) => {
  if (!Array.isArray(operand)) throw commandError("BadValue", `$pullAll requires an array argument but was given a ${bsonTypeName(operand)}`);
  const current = getAt(doc, segs);
  if (current === undefined) return;
  if (!Array.isArray(current)) throw commandError("BadValue", "Cannot apply $pull to a non-array value");
  setAt(doc, segs, current.filter((el) => !operand.some((v) => valuesEqual(el, v))));
};

const pop: ApplyOp = (doc, segs, operand, ctx) => {
  const n = isNumeric(operand) ? toNumber(operand) : NaN;
  if (n !== 1 && n !== -1) throw commandError("FailedToParse", `Expected a number in: ${segs.join(".")}: ${JSON.stringify(operand)}`);
  const current = getAt(doc, segs);
  if (current === undefined) return;
  const array = requireArray(current, "$pop", segs, ctx);
  if (array.length === 0) return;
  setAt(doc, segs, n === 1 ? array.slice(0, -1) : array.slice(1));
};

/** Keeps timestamps written within one second distinct and increasing, as mongod's are. */
let timestampIncrement = 0;

const currentDate: ApplyOp = (doc, segs, operand, ctx) => {
  let type = "date";
  if (isPlainObject(operand)) {
    type = String(operand.$type);
    if (type !== "date" && type !== "timestamp") {
      throw commandError("BadValue", "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}");
    }
  } else if (typeof operand !== "boolean") {
    throw commandError("BadValue", `${segs.join(".")} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({$type: 'timestamp/date'}).`);
  }
  const value = type === "date" ? new Date(ctx.now.getTime()) : new Timestamp({ t: Math.floor(ctx.now.getTime() / 1000), i: ++timestampIncrement });
  setAt(doc, segs, value);
};

const bit: ApplyOp = (doc, segs, operand, ctx) => {
  if (!isPlainObject(operand) || Object.keys(operand).length === 0) {
    throw commandError("BadValue", `The $bit modifier is not compatible with a ${bsonTypeName(operand)}. You must pass in an embedded document: {$bit: {field: {and/or/xor: #}}`);
  }
  let current = getAt(doc, segs) ?? 0;
  const integral = (v: unknown) => bsonTypeOf(v) === "Long" || (typeof v === "number" && Number.isInteger(v));
  if (!integral(current)) {
    throw commandError("BadValue", `Cannot apply $bit to a value of non-integral type.${idText(ctx)} has the field ${segs[segs.length - 1]} of non-integer type ${bsonTypeName(current)}`);
  }
  for (const [kind, mask] of Object.entries(operand)) {
    if (!["and", "or", "xor"].includes(kind)) {
      throw commandError("BadValue", `The $bit modifier only supports 'and', 'or', and 'xor', not '${kind}' which is an unknown operator: {${kind}: ${JSON.stringify(mask)}}`);
    }
    if (!integral(mask)) throw commandError("BadValue", `The $bit modifier field must be an Integer(32/64 bit); a '${bsonTypeName(mask)}' is not supported here: {${kind}: ${JSON.stringify(mask)}}`);
    if (bsonTypeOf(current) === "Long" || bsonTypeOf(mask) === "Long") {
      const a = bsonTypeOf(current) === "Long" ? (current as Long) : Long.fromNumber(current as number);
      const b = bsonTypeOf(mask) === "Long" ? (mask as Long) : Long.fromNumber(mask as number);
      current = kind === "and" ? a.and(b) : kind === "or" ? a.or(b) : a.xor(b);
    } else {
      const a = current as number;
      const b = mask as number;
      current = kind === "and" ? a & b : kind === "or" ? a | b : a ^ b;
    }
  }
  setAt(doc, segs, current);
};

const set: ApplyOp = (doc, segs, operand) => setAt(doc, segs, cloneDoc(operand));
const unset: ApplyOp = (doc, segs) => {
  unsetAt(doc, segs);
};

export const UPDATE_OPERATORS: Record<string, ApplyOp> = {
  $set: set,
  $setOnInsert: set,
  $unset: unset,
  $inc: arithmeticOp("$inc"),
  $mul: arithmeticOp("$mul"),
  $min: extremumOp(-1),
  $max: extremumOp(1),
  $push: push,
  $addToSet: addToSet,
  $pull: pull,
  $pullAll: pullAll,
  $pop: pop,
  $currentDate: currentDate,
  $bit: bit,
};

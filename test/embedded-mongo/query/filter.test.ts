import { Binary, BSONRegExp, Decimal128, Long, MaxKey, MinKey, ObjectId } from "bson";
import { compareValues, compileFilter } from "../../../src/embedded-mongo/query";

const matches = (filter: object, doc: object, opts?: object) => compileFilter(filter, opts)(doc);

describe("compileFilter", () => {
  it("matches equality on scalars, ids and embedded documents", () => {
    const id = new ObjectId();
    expect(matches({ _id: new ObjectId(id.toHexString()) }, { _id: id })).toBe(true);
    expect(matches({ _id: new ObjectId() }, { _id: id })).toBe(false);
    expect(matches({ a: { b: 1, c: 2 } }, { a: { b: 1, c: 2 } })).toBe(true);
    expect(matches({ a: { c: 2, b: 1 } }, { a: { b: 1, c: 2 } })).toBe(false);
    expect(matches({ "a.b": 1 }, { a: { b: 1 } })).toBe(true);
  });

  it("compares numbers by value across int, long, double and decimal", () => {
    expect(matches({ a: 5 }, { a: Long.fromNumber(5) })).toBe(true);
    expect(matches({ a: Decimal128.fromString("5.0") }, { a: 5 })).toBe(true);
    expect(matches({ a: { $gt: Long.fromNumber(9) } }, { a: Long.fromNumber(10) })).toBe(true);
    expect(matches({ a: { $lt: Decimal128.fromString("10") } }, { a: Decimal128.fromString("9") })).toBe(true);
    expect(matches({ a: { $in: [1, 2] } }, { a: Long.fromNumber(2) })).toBe(true);
  });

  it("brackets range comparisons by type", () => {
    expect(matches({ a: { $gt: 1 } }, { a: "x" })).toBe(false);
    expect(matches({ a: { $gt: "a" } }, { a: "b" })).toBe(true);
    expect(matches({ a: { $lt: new MaxKey() } }, { a: "b" })).toBe(true);
    expect(matches({ a: { $gt: new MinKey() } }, { a: null })).toBe(true);
    expect(matches({ a: { $gte: null } }, {})).toBe(true);
    expect(matches({ a: { $gt: null } }, {})).toBe(false);
  });

  it("treats missing fields as null", () => {
    expect(matches({ a: null }, {})).toBe(true);
    expect(matches({ a: null }, { a: null })).toBe(true);
    expect(matches({ a: { $ne: null } }, {})).toBe(false);
    expect(matches({ a: { $in: [null] } }, {})).toBe(true);
    expect(matches({ "a.b": null }, { a: [{ b: 1 }, { c: 1 }] })).toBe(true);
  });

  it("matches array fields elementwise and as a whole", () => {
    expect(matches({ a: 2 }, { a: [1, 2, 3] })).toBe(true);
    expect(matches({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: [1, 2] }, { a: [[1, 2], 3] })).toBe(true);
    expect(matches({ a: { $gt: 2 } }, { a: [1, 3] })).toBe(true);
    expect(matches({ "a.b": 2 }, { a: [{ b: 1 }, { b: 2 }] })).toBe(true);
    expect(matches({ "a.1": 5 }, { a: [4, 5] })).toBe(true);
    expect(matches({ "a.b.c": 1 }, { a: [{ b: [{ c: 1 }] }] })).toBe(true);
    expect(matches({ a: { $ne: 2 } }, { a: [1, 2] })).toBe(false);
    expect(matches({ a: { $nin: [5] } }, { a: [1, 2] })).toBe(true);
  });

  it("supports $exists, $type, $size, $all, $elemMatch, $not and $mod", () => {
    expect(matches({ a: { $exists: true } }, { a: null })).toBe(true);
    expect(matches({ a: { $exists: false } }, {})).toBe(true);
    expect(matches({ a: { $type: "objectId" } }, { a: new ObjectId() })).toBe(true);
    expect(matches({ a: { $type: 7 } }, { a: new ObjectId() })).toBe(true);
    expect(matches({ a: { $type: "long" } }, { a: Long.fromNumber(1) })).toBe(true);
    expect(matches({ a: { $type: "number" } }, { a: 1.5 })).toBe(true);
    expect(matches({ a: { $type: "array" } }, { a: [] })).toBe(true);
    expect(matches({ a: { $type: "string" } }, { a: [1, "x"] })).toBe(true);
    expect(matches({ a: { $size: 2 } }, { a: [1, 2] })).toBe(true);
    expect(matches({ a: { $all: [1, 3] } }, { a: [1, 2, 3] })).toBe(true);
    expect(matches({ a: { $all: [1, 4] } }, { a: [1, 2, 3] })).toBe(false);
    expect(matches({ a: { $elemMatch: { b: 1, c: 2 } } }, { a: [{ b: 1 }, { b: 1, c: 2 }] })).toBe(true);
    expect(matches({ a: { $elemMatch: { b: 1, c: 2 } } }, { a: [{ b: 1 }, { c: 2 }] })).toBe(false);
    expect(matches({ a: { $elemMatch: { $gt: 1, $lt: 3 } } }, { a: [0, 2] })).toBe(true);
    expect(matches({ a: { $elemMatch: { $gt: 1, $lt: 3 } } }, { a: [0, 4] })).toBe(false);
    expect(matches({ a: { $not: { $gt: 5 } } }, {})).toBe(true);
    expect(matches({ a: { $not: /^x/ } }, { a: "xy" })).toBe(false);
    expect(matches({ a: { $mod: [4, 1] } }, { a: 9 })).toBe(true);
  });

  it("matches regexes in every form", () => {
    expect(matches({ a: /^ab/i }, { a: "ABc" })).toBe(true);
    expect(matches({ a: { $regex: "^ab", $options: "i" } }, { a: "ABc" })).toBe(true);
    expect(matches({ a: new BSONRegExp("b$") }, { a: ["xa", "ab"] })).toBe(true);
    expect(matches({ a: { $in: [/^z/, 3] } }, { a: "zz" })).toBe(true);
    expect(matches({ a: { $regex: "a b # comment", $options: "x" } }, { a: "ab" })).toBe(true);
  });

  it("matches $in lists of ids, mixed numerics and null", () => {
    const ids = Array.from({ length: 50 }, () => new ObjectId());
    const test = compileFilter({ _id: { $in: ids } });
    expect(test({ _id: new ObjectId(ids[30].toHexString()) })).toBe(true);
    expect(test({ _id: new ObjectId() })).toBe(false);
    expect(matches({ a: { $in: [Decimal128.fromString("2.0"), null] } }, { a: 2 })).toBe(true);
    expect(matches({ a: { $in: [Decimal128.fromString("2.0"), null] } }, {})).toBe(true);
    expect(matches({ a: { $in: [{ b: 1 }] } }, { a: [{ b: 1 }] })).toBe(true);
    expect(matches({ a: { $nin: ["x", 1] } }, { a: Long.fromNumber(1) })).toBe(false);
  });

  it("supports logical operators and $expr", () => {
    expect(matches({ $or: [{ a: 1 }, { b: 2 }] }, { b: 2 })).toBe(true);
    expect(matches({ $and: [{ a: 1 }, { b: 2 }] }, { a: 1 })).toBe(false);
    expect(matches({ $nor: [{ a: 1 }] }, { a: 2 })).toBe(true);
    expect(matches({ $expr: { $gt: ["$a", "$b"] } }, { a: 2, b: 1 })).toBe(true);
    expect(matches({ $expr: { $eq: ["$a", "$$v"] } }, { a: 2 }, { variables: { v: 2 } })).toBe(true);
  });

  it("compares binary data by bytes and bit tests", () => {
    const bin = (bytes: number[]) => new Binary(Buffer.from(bytes));
    expect(matches({ a: bin([1, 2]) }, { a: bin([1, 2]) })).toBe(true);
    expect(matches({ a: bin([1, 2]) }, { a: bin([1, 3]) })).toBe(false);
    expect(matches({ a: { $bitsAllSet: [0, 2] } }, { a: 5 })).toBe(true);
    expect(matches({ a: { $bitsAnyClear: 5 } }, { a: 5 })).toBe(false);
    expect(matches({ a: { $bitsAllSet: bin([1]) } }, { a: bin([3]) })).toBe(true);
  });

  it("applies a collation to string comparisons", () => {
    const collation = { locale: "en_US", strength: 2 };
    expect(matches({ x: "PING" }, { x: "ping" }, { collation })).toBe(true);
    expect(matches({ x: "PING" }, { x: "ping" })).toBe(false);
    expect(matches({ x: { $in: ["PING"] } }, { x: "ping" }, { collation })).toBe(true);
  });

  it("rejects unknown and malformed operators with BadValue", () => {
    for (const bad of [{ a: { $foo: 1 } }, { $foo: 1 }, { a: { $in: 1 } }, { $or: [] }, { a: { $type: "nope" } }, { a: { $mod: [0, 1] } }]) {
      expect(() => compileFilter(bad)).toThrow(expect.objectContaining({ code: 2, codeName: "BadValue" }));
    }
  });
});

describe("$expr comparisons", () => {
  const docs = [{}, { a: null }, { a: 1 }, { a: "x" }, { a: [1, 2] }, { a: { b: 2 } }, { a: [{ b: 1 }, { b: 3 }] }, { a: Long.fromNumber(1) }];
  const exprs = [
    { $eq: ["$a", null] },
    { $eq: ["$a", 1] },
    { $ne: ["$a", 1] },
    { $gt: ["$a", 0] },
    { $lte: ["$a", "$$v"] },
    { $eq: ["$a.b", [1, 3]] },
    { $lt: ["$a", null] },
    { $and: [{ $gte: ["$a", 1] }, { $lt: ["$a", "z"] }] },
  ];

  it("agree between the compiled fast path and mingo evaluation", () => {
    for (const expr of exprs) {
      const fast = compileFilter({ $expr: expr }, { variables: { v: 1 } });
      const viaMingo = compileFilter({ $expr: { $and: [expr, true] } }, { variables: { v: 1 } });
      for (const doc of docs) expect([expr, doc, fast(doc)]).toEqual([expr, doc, viaMingo(doc)]);
    }
  });

  it("do not equate a missing field with null", () => {
    expect(matches({ $expr: { $eq: ["$a", null] } }, {})).toBe(false);
    expect(matches({ $expr: { $eq: ["$a", null] } }, { a: null })).toBe(true);
  });
});

describe("compareValues on numbers", () => {
  it("compares decimals with doubles exactly, like mongod", () => {
    expect(compareValues(Decimal128.fromString("1.50"), 1.5)).toBe(0);
    expect(compareValues(Decimal128.fromString("0.1"), 0.1)).not.toBe(0);
    expect(compareValues(Decimal128.fromString("10"), Long.fromNumber(10))).toBe(0);
    expect(compareValues(Decimal128.fromString("1E+2"), 99)).toBe(1);
    expect(compareValues(Decimal128.fromString("NaN"), -Infinity)).toBe(-1);
    expect(compareValues(Long.fromString("9007199254740993"), 9007199254740992)).toBe(1);
  });
});

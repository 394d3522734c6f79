import { Binary, Decimal128, Double, EJSON, Int32, Long, ObjectId } from "bson";
import { match, matchDocuments } from "./match";

const ejson = (text: string) => EJSON.parse(text, { relaxed: false });

describe("match (unified test format, Evaluating Matches)", () => {
  it("allows extra fields at the root only", () => {
    expect(match({ x: 1 }, { x: 1, y: 1 }, { root: true })).toBeUndefined();
    expect(match({ x: { y: 1 } }, { x: { y: 1, z: 1 } }, { root: true })).toMatch(/x: unexpected field\(s\) z/);
    expect(match({ x: 1, y: 1 }, { x: 1 }, { root: true })).toMatch(/y: expected 1, got \(missing\)/);
  });

  it("ignores key order", () => {
    expect(match({ x: 1, y: 2 }, { y: 2, x: 1 })).toBeUndefined();
  });

  it("compares int32, int64 and double by value but not Decimal128", () => {
    expect(match(new Int32(1), 1.0)).toBeUndefined();
    expect(match(Long.fromNumber(5), new Double(5))).toBeUndefined();
    expect(match(new Int32(1), 1.5)).toBeDefined();
    expect(match(Decimal128.fromString("1"), 1)).toBeDefined();
    expect(match(Decimal128.fromString("1.0"), Decimal128.fromString("1.0"))).toBeUndefined();
    expect(match(1, "1")).toBeDefined();
  });

  it("requires arrays of the same length, elements matched as nested documents", () => {
    expect(match([1, 2, 3], [1, 2, 3, 4])).toMatch(/expected 3 element/);
    expect(match([{ x: 1 }], [{ x: 1, y: 1 }])).toMatch(/\[0\]: unexpected field/);
  });

  it("matches iterable results as root-level documents", () => {
    expect(matchDocuments([{ x: 1 }, { x: 2 }], [{ x: 1, y: 1 }, { x: 2, y: 2 }])).toBeUndefined();
    expect(matchDocuments([{ x: 1 }], [])).toMatch(/expected 1 document/);
  });

  it("implements $$exists on document keys", () => {
    expect(match({ a: { $$exists: true } }, { a: null })).toBeUndefined();
    expect(match({ a: { $$exists: false } }, {})).toBeUndefined();
    expect(match({ a: { $$exists: false } }, { a: 1 })).toMatch(/a: expected absent/);
    expect(match({ a: { $$exists: true } }, {})).toMatch(/a: expected present/);
  });

  it("implements $$unsetOrMatches for fields and whole values, keeping root-ness", () => {
    expect(match({ a: { $$unsetOrMatches: 2 } }, {})).toBeUndefined();
    expect(match({ a: { $$unsetOrMatches: 2 } }, { a: 3 })).toMatch(/a: expected 2, got 3/);
    expect(match({ $$unsetOrMatches: { n: 1 } }, undefined, { root: true })).toBeUndefined();
    expect(match({ $$unsetOrMatches: { n: 1 } }, { n: 1, extra: true }, { root: true })).toBeUndefined();
    expect(match({ a: { $$unsetOrMatches: { n: 1 } } }, { a: { n: 1, extra: true } })).toMatch(/unexpected field/);
  });

  it("implements $$type with BSON aliases and promoted numbers", () => {
    expect(match({ $$type: ["int", "long"] }, Long.fromNumber(7))).toBeUndefined();
    expect(match({ $$type: "double" }, 0.25)).toBeUndefined();
    expect(match({ $$type: "double" }, "0.25")).toMatch(/expected type double/);
    expect(match({ $$type: "int" }, 0.25)).toMatch(/expected type int/);
    expect(match({ $$type: ["string", "object"] }, { _id: 1 })).toBeUndefined();
    expect(match({ $$type: "objectId" }, new ObjectId())).toBeUndefined();
    expect(match({ $$type: "binData" }, new Binary(Buffer.from("a")))).toBeUndefined();
    expect(match({ x: { $$type: "string" } }, {})).toMatch(/x: expected/);
  });

  it("implements $$lte, $$matchesEntity, $$sessionLsid, $$matchAsDocument and $$matchAsRoot", () => {
    const lsid = { id: new Binary(Buffer.alloc(16, 1), 4) };
    const context = {
      entity: (name: string) => ({ saved: 42 })[name],
      sessionLsid: () => lsid,
    };
    expect(match({ $$lte: 5 }, 5.0)).toBeUndefined();
    expect(match({ $$lte: 5 }, 5.5)).toBeDefined();
    expect(match({ $$matchesEntity: "saved" }, 42, { context })).toBeUndefined();
    expect(match({ lsid: { $$sessionLsid: "s" } }, { lsid: { id: new Binary(Buffer.alloc(16, 1), 4) } }, { context })).toBeUndefined();
    expect(match({ lsid: { $$sessionLsid: "s" } }, { lsid: { id: new Binary(Buffer.alloc(16, 2), 4) } }, { context })).toBeDefined();
    expect(match({ $$matchAsDocument: { a: 1 } }, '{"a": 1}')).toBeUndefined();
    expect(match({ $$matchAsDocument: { a: 1 } }, '{"a": 1, "b": 2}')).toBeDefined();
    expect(match({ x: { $$matchAsRoot: { a: 1 } } }, { x: { a: 1, b: 2 } })).toBeUndefined();
  });

  it("compares BSON values parsed from canonical Extended JSON with driver values", () => {
    const expected = ejson(
      '{"d": {"$date": {"$numberLong": "1000"}}, "r": {"$regularExpression": {"pattern": "^a", "options": "im"}}, "o": {"$oid": "000000000000000000000001"}}',
    );
    const actual = { d: new Date(1000), r: /^a/im, o: new ObjectId("000000000000000000000001") };
    expect(match(expected, actual)).toBeUndefined();
    expect(match(expected, { ...actual, d: new Date(1001) })).toMatch(/^d: /);
  });

  it("reads a Map built by the driver (find's sort) as the document it becomes on the wire", () => {
    expect(match({ sort: { _id: 1 } }, { sort: new Map([["_id", 1]]) })).toBeUndefined();
    expect(match({ sort: { _id: 1 } }, { sort: new Map([["_id", -1]]) })).toMatch(/sort._id: expected 1, got -1/);
  });

  it("rejects unknown special operators loudly", () => {
    expect(() => match({ $$bogus: 1 }, 1)).toThrow(/unsupported special operator/);
  });
});

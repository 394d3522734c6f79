import { Decimal128, Long, ObjectId, Timestamp } from "bson";
import { applyUpdate } from "../../../src/embedded-mongo/query";

const upd = (doc: object, update: object | object[], opts = {}) => applyUpdate(doc, update as never, opts);
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err as { code: number; codeName: string };
  }
  throw new Error("expected an error");
};

describe("applyUpdate", () => {
  it("never mutates its input and reports modification", () => {
    const doc = { _id: 1, a: { b: [1, 2] } };
    const { doc: out, modified } = upd(doc, { $push: { "a.b": 3 } });
    expect(out).toEqual({ _id: 1, a: { b: [1, 2, 3] } });
    expect(doc).toEqual({ _id: 1, a: { b: [1, 2] } });
    expect(modified).toBe(true);
    expect(upd(doc, { $set: { "a.b": [1, 2] } }).modified).toBe(false);
    expect(upd({ a: 1 }, { $set: { a: Long.fromNumber(1) } }).modified).toBe(true);
  });

  it("applies field operators", () => {
    const doc = { _id: 1, n: 5, s: "x", arr: [3, 1, 2], obj: { k: 1 } };
    expect(upd(doc, { $inc: { n: 2, m: 1 } }).doc).toMatchObject({ n: 7, m: 1 });
    expect(upd(doc, { $mul: { n: 2, z: 3 } }).doc).toMatchObject({ n: 10, z: 0 });
    expect(upd(doc, { $min: { n: 3 }, $max: { s: "y" } }).doc).toMatchObject({ n: 3, s: "y" });
    expect(upd(doc, { $unset: { s: "", "obj.k": 1 } }).doc).toEqual({ _id: 1, n: 5, arr: [3, 1, 2], obj: {} });
    expect(upd(doc, { $rename: { s: "t" } }).doc).toEqual({ _id: 1, n: 5, arr: [3, 1, 2], obj: { k: 1 }, t: "x" });
    expect(upd(doc, { $set: { "x.y.z": 1 } }).doc.x).toEqual({ y: { z: 1 } });
    expect(upd(doc, { $set: { "arr.5": 9 } }).doc.arr).toEqual([3, 1, 2, null, null, 9]);
    expect(upd(doc, { $unset: { "arr.0": 1 } }).doc.arr).toEqual([null, 1, 2]);
  });

  it("keeps BSON numeric types in arithmetic", () => {
    const out = upd({ a: Long.fromNumber(5), d: Decimal128.fromString("1.5") }, { $inc: { a: 2, d: 1 } }).doc;
    expect(out.a).toEqual(Long.fromNumber(7));
    expect(out.d.toString()).toBe("2.5");
    expect(upd({ a: 1 }, { $inc: { a: 0.5 } }).doc.a).toBe(1.5);
  });

  it("supports array operators with modifiers", () => {
    const doc = { arr: [3, 1, 2] };
    expect(upd(doc, { $push: { arr: { $each: [5, 4], $position: 0 } } }).doc.arr).toEqual([5, 4, 3, 1, 2]);
    expect(upd(doc, { $push: { arr: { $each: [0], $sort: 1, $slice: 3 } } }).doc.arr).toEqual([0, 1, 2]);
    expect(upd(doc, { $push: { arr: { $each: [], $slice: -1 } } }).doc.arr).toEqual([2]);
    expect(upd({ a: [{ x: 2 }, { x: 1 }] }, { $push: { a: { $each: [], $sort: { x: 1 } } } }).doc.a).toEqual([{ x: 1 }, { x: 2 }]);
    expect(upd(doc, { $addToSet: { arr: { $each: [1, 7, 7] } } }).doc.arr).toEqual([3, 1, 2, 7]);
    expect(upd({ a: [Long.fromNumber(1)] }, { $addToSet: { a: 1 } }).modified).toBe(false);
    expect(upd(doc, { $pull: { arr: { $gte: 2 } } }).doc.arr).toEqual([1]);
    expect(upd({ a: [{ x: 1, y: 1 }, { x: 2 }] }, { $pull: { a: { x: 1 } } }).doc.a).toEqual([{ x: 2 }]);
    expect(upd(doc, { $pullAll: { arr: [1, 3] } }).doc.arr).toEqual([2]);
    expect(upd(doc, { $pop: { arr: -1 } }).doc.arr).toEqual([1, 2]);
    expect(upd(doc, { $pop: { arr: 1 } }).doc.arr).toEqual([3, 1]);
  });

  it("supports $currentDate and $bit", () => {
    const out = upd({}, { $currentDate: { d: true, t: { $type: "timestamp" } } }).doc;
    expect(out.d).toBeInstanceOf(Date);
    expect(out.t).toBeInstanceOf(Timestamp);
    expect(upd({ a: 13 }, { $bit: { a: { and: 10 } } }).doc.a).toBe(8);
    expect(upd({ a: 1 }, { $bit: { a: { or: 4, xor: 1 } } }).doc.a).toBe(4);
  });

  it("applies $setOnInsert only on upsert inserts", () => {
    expect(upd({ a: 1 }, { $setOnInsert: { b: 1 } }).doc).toEqual({ a: 1 });
    expect(upd({ a: 1 }, { $set: { c: 1 }, $setOnInsert: { b: 1 } }, { isUpsertInsert: true }).doc).toEqual({ a: 1, b: 1, c: 1 });
  });

  it("resolves positional, all-positional and filtered positional paths", () => {
    const doc = { _id: 1, grades: [{ g: 80, m: 1 }, { g: 90, m: 2 }, { g: 95, m: 3 }] };
    expect(upd(doc, { $set: { "grades.$.g": 0 } }, { filter: { "grades.g": 90 } }).doc.grades[1].g).toBe(0);
    expect(upd(doc, { $inc: { "grades.$[].m": 10 } }).doc.grades.map((x: { m: number }) => x.m)).toEqual([11, 12, 13]);
    const filtered = upd(doc, { $set: { "grades.$[hi].g": 100 } }, { arrayFilters: [{ "hi.g": { $gte: 90 } }] }).doc;
    expect(filtered.grades.map((x: { g: number }) => x.g)).toEqual([80, 100, 100]);
    const nested = { _id: 3, y: [{ b: 5, c: [{ d: 2 }, { d: 1 }] }] };
    expect(upd(nested, { $set: { "y.$[i].c.$[j].d": 0 } }, { arrayFilters: [{ "i.b": 5 }, { "j.d": 1 }] }).doc).toEqual({ _id: 3, y: [{ b: 5, c: [{ d: 2 }, { d: 0 }] }] });
    expect(upd({ a: [1, 2, 3] }, { $set: { "a.$[x]": 0 } }, { arrayFilters: [{ x: { $gt: 1 } }] }).doc.a).toEqual([1, 0, 0]);
  });

  it("replaces documents and keeps _id", () => {
    const id = new ObjectId();
    expect(upd({ _id: id, a: 1 }, { b: 2 }).doc).toEqual({ _id: id, b: 2 });
    expect(upd({ _id: 1, a: 1 }, { b: 2, _id: 1 }).doc).toEqual({ _id: 1, b: 2 });
    expect(Object.keys(upd({ _id: 1, a: 1 }, { b: 2, _id: 1 }).doc)).toEqual(["_id", "b"]);
  });

  it("runs update pipelines", () => {
    const doc = { _id: 1, x: 1, y: 1, t: { u: { v: 1 } } };
    expect(upd(doc, [{ $project: { x: 1 } }, { $addFields: { foo: 1 } }]).doc).toEqual({ _id: 1, x: 1, foo: 1 });
    expect(upd(doc, [{ $replaceRoot: { newRoot: "$t" } }, { $addFields: { foo: 1 } }]).doc).toEqual({ _id: 1, u: { v: 1 }, foo: 1 });
    expect(upd({ _id: 1, foo: {} }, [{ $replaceWith: { $setField: { field: { $literal: "$a" }, value: 1, input: "$$ROOT" } } }]).doc).toEqual({ _id: 1, foo: {}, $a: 1 });
    expect(upd({ _id: 1, a: 2 }, [{ $set: { b: { $add: ["$a", "$$k"] } } }], { variables: { k: 3 } }).doc.b).toBe(5);
  });

  it("fails like mongod", () => {
    expect(errorOf(() => upd({ _id: 1 }, { $set: { _id: 2 } }))).toMatchObject({ code: 66, codeName: "ImmutableField" });
    expect(errorOf(() => upd({ _id: 1 }, { b: 1, _id: 2 }))).toMatchObject({ code: 66 });
    expect(errorOf(() => upd({ _id: 1 }, { $foo: { a: 1 } }))).toMatchObject({ code: 9, codeName: "FailedToParse" });
    expect(errorOf(() => upd({}, { $set: { a: 1 }, $inc: { a: 1 } }))).toMatchObject({ code: 40 });
    expect(errorOf(() => upd({}, { $set: { "a.b": 1, a: 1 } }))).toMatchObject({ code: 40 });
    expect(errorOf(() => upd({ a: "x" }, { $inc: { a: 1 } }))).toMatchObject({ code: 14, codeName: "TypeMismatch" });
    expect(errorOf(() => upd({ a: 1 }, { $inc: { a: "x" } }))).toMatchObject({ code: 14 });
    expect(errorOf(() => upd({ a: 1 }, { $set: { "a.b": 1 } }))).toMatchObject({ code: 28, codeName: "PathNotViable" });
    expect(errorOf(() => upd({ a: [] }, { $set: { "a.$[i]": 1 } }, { arrayFilters: [{ j: 1 }] }))).toMatchObject({ code: 2 });
    expect(errorOf(() => upd({ a: [] }, { $set: { a: 1 } }, { arrayFilters: [{ j: 1 }] }))).toMatchObject({ code: 9 });
    expect(errorOf(() => upd({ a: 1 }, { $push: { a: 1 } }))).toMatchObject({ code: 2 });
    expect(errorOf(() => upd({ a: [1] }, { $set: { "a.$": 1 } }))).toMatchObject({ code: 2 });
  });
});

describe("applyUpdate numeric edges", () => {
  it("overflows int32 arithmetic into int64 like mongod", () => {
    expect(applyUpdate({ a: 2147483647 }, { $inc: { a: 1 } }).doc.a).toEqual(Long.fromNumber(2147483648));
    expect(applyUpdate({ a: 3 }, { $mul: { a: 2 } }).doc.a).toBe(6);
  });

  it("refuses to create a field inside a null array element", () => {
    expect(() => applyUpdate({ a: [null] }, { $set: { "a.0.b": 1 } })).toThrow(expect.objectContaining({ code: 28 }));
  });
});

describe("applyUpdate arrayFilters", () => {
  it("accepts logical operators over one identifier", () => {
    const doc = { a: [{ x: 1 }, { x: 2 }, { x: 3 }] };
    const out = applyUpdate(doc, { $set: { "a.$[e].y": true } }, { arrayFilters: [{ $or: [{ "e.x": 1 }, { "e.x": 3 }] }] }).doc;
    expect(out.a).toEqual([{ x: 1, y: true }, { x: 2 }, { x: 3, y: true }]);
  });
});

describe("applyUpdate positional operator", () => {
  const doc = { _id: 1, items: [{ sku: "a", qty: 1 }, { sku: "b", qty: 5 }, { sku: "c", qty: 9 }], tags: ["x", "y"] };

  it("resolves $ from equality, ranges and $elemMatch in the query", () => {
    expect(applyUpdate(doc, { $inc: { "items.$.qty": 1 } }, { filter: { "items.sku": "b" } }).doc.items[1].qty).toBe(6);
    expect(applyUpdate(doc, { $set: { "items.$.sku": "z" } }, { filter: { "items.qty": { $gt: 4 } } }).doc.items[1].sku).toBe("z");
    const elemMatch = { items: { $elemMatch: { sku: { $ne: "a" }, qty: { $gt: 6 } } } };
    expect(applyUpdate(doc, { $set: { "items.$.qty": 0 } }, { filter: elemMatch }).doc.items[2].qty).toBe(0);
    expect(applyUpdate(doc, { $set: { "tags.$": "Y" } }, { filter: { _id: 1, tags: "y" } }).doc.tags).toEqual(["x", "Y"]);
    expect(applyUpdate(doc, { $set: { "items.$.qty": 0 } }, { filter: { $and: [{ "items.sku": "c" }] } }).doc.items[2].qty).toBe(0);
  });

  it("fails when the query did not match an element", () => {
    expect(() => applyUpdate(doc, { $set: { "items.$.qty": 0 } }, { filter: { _id: 1 } })).toThrow(expect.objectContaining({ code: 2 }));
    expect(() => applyUpdate(doc, { $set: { "items.$.a.$": 0 } }, { filter: { "items.sku": "a" } })).toThrow(expect.objectContaining({ code: 2 }));
  });
});

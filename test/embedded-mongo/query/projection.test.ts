import { applyProjection } from "../../../src/embedded-mongo/query";

const doc = { _id: 1, a: 1, b: { c: 2, d: 3 }, arr: [{ x: 1, y: 1 }, { x: 2, y: 2 }, 5], nums: [1, 2, 3, 4] };

describe("applyProjection", () => {
  it("includes fields in document order with _id unless excluded", () => {
    expect(applyProjection(doc, { b: 1, a: 1 })).toEqual({ _id: 1, a: 1, b: { c: 2, d: 3 } });
    expect(Object.keys(applyProjection(doc, { b: 1, a: 1 }))).toEqual(["_id", "a", "b"]);
    expect(applyProjection(doc, { a: 1, _id: 0 })).toEqual({ a: 1 });
    expect(applyProjection(doc, { _id: 1 })).toEqual({ _id: 1 });
    expect(applyProjection(doc, { "b.c": 1 })).toEqual({ _id: 1, b: { c: 2 } });
    expect(applyProjection(doc, { b: { d: 1 } })).toEqual({ _id: 1, b: { d: 3 } });
    expect(applyProjection(doc, { "arr.x": 1 })).toEqual({ _id: 1, arr: [{ x: 1 }, { x: 2 }] });
  });

  it("excludes fields", () => {
    expect(applyProjection(doc, { arr: 0, nums: 0, "b.c": 0 })).toEqual({ _id: 1, a: 1, b: { d: 3 } });
    expect(applyProjection(doc, { _id: 0, b: 0, arr: 0, nums: 0 })).toEqual({ a: 1 });
    expect(applyProjection(doc, { "arr.y": 0, nums: 0, b: 0 })).toEqual({ _id: 1, a: 1, arr: [{ x: 1 }, { x: 2 }, 5] });
  });

  it("slices arrays", () => {
    expect(applyProjection(doc, { nums: { $slice: 2 } }).nums).toEqual([1, 2]);
    expect(applyProjection(doc, { nums: { $slice: -1 } })).toEqual({ ...doc, nums: [4] });
    expect(applyProjection(doc, { nums: { $slice: [1, 2] }, a: 1 })).toEqual({ _id: 1, a: 1, nums: [2, 3] });
  });

  it("projects $elemMatch and the positional operator", () => {
    expect(applyProjection(doc, { arr: { $elemMatch: { x: 2 } } })).toEqual({ _id: 1, arr: [{ x: 2, y: 2 }] });
    expect(applyProjection(doc, { arr: { $elemMatch: { x: 9 } } })).toEqual({ _id: 1 });
    expect(applyProjection(doc, { "nums.$": 1 }, { filter: { nums: { $gt: 2 } } })).toEqual({ _id: 1, nums: [3] });
  });

  it("evaluates aggregation expressions", () => {
    expect(applyProjection(doc, { sum: { $add: ["$a", "$b.c"] }, a: 1 })).toEqual({ _id: 1, a: 1, sum: 3 });
    expect(applyProjection(doc, { lit: { $literal: 1 }, _id: 0 })).toEqual({ lit: 1 });
    expect(applyProjection(doc, { x: "$b.d", _id: 0 })).toEqual({ x: 3 });
  });

  it("does not share nested objects with its input", () => {
    const out = applyProjection(doc, { b: 1 });
    out.b.c = 99;
    expect(doc.b.c).toBe(2);
  });

  it("rejects mixed and colliding projections", () => {
    expect(() => applyProjection(doc, { a: 1, b: 0 })).toThrow(expect.objectContaining({ code: 31254 }));
    expect(() => applyProjection(doc, { a: 0, b: 1 })).toThrow(expect.objectContaining({ code: 31253 }));
    expect(() => applyProjection(doc, { b: 1, "b.c": 1 })).toThrow(expect.objectContaining({ code: 31250 }));
  });
});

import { ObjectId } from "bson";
import { applyUpdate, getIndexKeyValue, upsertSeed } from "../../../src/embedded-mongo/query";

describe("upsertSeed", () => {
  it("keeps the fields a filter fixes by equality", () => {
    const id = new ObjectId();
    expect(upsertSeed({ _id: id, a: 1, "b.c": 2, $and: [{ d: { $eq: 3 } }], e: { $gt: 1 }, f: /x/, g: { $in: [4] } })).toEqual({
      _id: id,
      a: 1,
      b: { c: 2 },
      d: 3,
      g: 4,
    });
    expect(upsertSeed({ $or: [{ a: 1 }] })).toEqual({ a: 1 });
    expect(upsertSeed({ $or: [{ a: 1 }, { b: 1 }] })).toEqual({});
  });

  it("rejects a path fixed twice", () => {
    expect(() => upsertSeed({ a: 1, $and: [{ a: 2 }] })).toThrow(expect.objectContaining({ code: 54 }));
    expect(() => upsertSeed({ a: { b: 1 }, "a.b": 1 })).toThrow(expect.objectContaining({ code: 54 }));
  });

  it("combines with an upsert's update like mongod", () => {
    const seed = upsertSeed({ _id: 1, x: 1 });
    expect(applyUpdate(seed, { $inc: { x: 1 }, $setOnInsert: { y: 1 } }, { isUpsertInsert: true }).doc).toEqual({ _id: 1, x: 2, y: 1 });
    expect(applyUpdate(seed, { z: 1 }, { isUpsertInsert: true }).doc).toEqual({ _id: 1, z: 1 });
  });
});

describe("getIndexKeyValue", () => {
  it("reads dotted paths, through arrays of subdocuments", () => {
    expect(getIndexKeyValue({ a: { b: 1 } }, "a.b")).toBe(1);
    expect(getIndexKeyValue({ a: [{ b: 1 }, { b: 2 }, { c: 3 }] }, "a.b")).toEqual([1, 2]);
    expect(getIndexKeyValue({ a: [5, 6] }, "a.1")).toBe(6);
    expect(getIndexKeyValue({ a: 1 }, "a.b")).toBeUndefined();
    expect(getIndexKeyValue({}, "a")).toBeUndefined();
  });
});

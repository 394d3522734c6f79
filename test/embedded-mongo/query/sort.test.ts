import { Binary, BSONRegExp, Long, MaxKey, MinKey, ObjectId, Timestamp } from "bson";
import { compareValues, compileSort } from "../../../src/embedded-mongo/query";

describe("compareValues", () => {
  it("orders BSON types like mongod", () => {
    const ordered = [
      new MinKey(),
      null,
      -1,
      Long.fromNumber(2),
      "a",
      { a: 1 },
      [1],
      new Binary(Buffer.from([1])),
      new ObjectId("000000000000000000000001"),
      false,
      true,
      new Date(0),
      new Timestamp({ t: 1, i: 0 }),
      new BSONRegExp("a"),
      new MaxKey(),
    ];
    for (let i = 0; i < ordered.length - 1; i++) {
      expect([ordered[i], compareValues(ordered[i], ordered[i + 1])]).toEqual([ordered[i], -1]);
      expect(compareValues(ordered[i + 1], ordered[i])).toBe(1);
    }
  });

  it("compares within a type by content", () => {
    expect(compareValues("a", "b")).toBe(-1);
    expect(compareValues("\uffff", "\u{1F600}")).toBe(-1);
    expect(compareValues({ a: 1 }, { a: 1, b: 1 })).toBe(-1);
    expect(compareValues({ a: 2 }, { b: 1 })).toBe(-1);
    expect(compareValues({ a: "x" }, { a: 1 })).toBe(1);
    expect(compareValues([1, 2], [1, 3])).toBe(-1);
    expect(compareValues(new Binary(Buffer.from([9])), new Binary(Buffer.from([1, 1])))).toBe(-1);
    expect(compareValues(new Timestamp({ t: 2, i: 0 }), new Timestamp({ t: 1, i: 9 }))).toBe(1);
    expect(compareValues(Long.fromNumber(10), Long.fromNumber(9))).toBe(1);
    expect(compareValues(undefined, null)).toBe(0);
  });
});

describe("compileSort", () => {
  const sortBy = (docs: object[], spec: object, collation?: object) => docs.slice().sort(compileSort(spec as never, collation as never));

  it("sorts arrays by their smallest element ascending and largest descending", () => {
    const docs = [{ _id: 1, a: [1, 10] }, { _id: 2, a: 5 }, { _id: 3, a: [] }, { _id: 4 }];
    expect(sortBy(docs, { a: 1 }).map((d) => (d as { _id: number })._id)).toEqual([3, 4, 1, 2]);
    expect(sortBy(docs, { a: -1 }).map((d) => (d as { _id: number })._id)).toEqual([1, 2, 4, 3]);
  });

  it("sorts by dotted paths through arrays and by several keys", () => {
    const docs = [{ _id: 1, a: [{ b: 3 }, { b: 1 }], c: 1 }, { _id: 2, a: { b: 2 }, c: 1 }, { _id: 3, a: { b: 2 }, c: 0 }];
    expect(sortBy(docs, { "a.b": 1, c: 1 }).map((d) => (d as { _id: number })._id)).toEqual([1, 3, 2]);
  });

  it("applies a collation to strings", () => {
    const docs = [{ s: "b" }, { s: "A" }, { s: "a" }];
    expect(sortBy(docs, { s: 1 }).map((d) => (d as { s: string }).s)).toEqual(["A", "a", "b"]);
    expect(sortBy(docs, { s: 1 }, { locale: "en_US", strength: 1 }).map((d) => (d as { s: string }).s)).toEqual(["A", "a", "b"]);
    expect(sortBy([{ s: "B" }, { s: "a" }], { s: 1 }, { locale: "en" }).map((d) => (d as { s: string }).s)).toEqual(["a", "B"]);
  });

  it("rejects invalid directions", () => {
    expect(() => compileSort({ a: 2 })).toThrow(expect.objectContaining({ code: 2 }));
  });
});

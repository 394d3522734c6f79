import { EJSON } from "bson";
import type { Document, Sort } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

/** The names an object inherits: each must read as a missing field, never as a value. */
const INHERITED = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "__defineGetter__"];

/** A document holding `__proto__` as an ordinary own field, as a client sends it. */
function withProtoField(value: unknown, rest: Document): Document {
  const doc = { ...rest };
  Object.defineProperty(doc, "__proto__", { value, enumerable: true, writable: true, configurable: true });
  return doc;
}

function objectPrototypeSnapshot(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).map((name) => `${name}:${String(Object.getOwnPropertyDescriptor(Object.prototype, name)?.value)}`);
}

describe("field names that an object inherits are ordinary fields (no prototype pollution)", () => {
  const coll = () => db.client().db("proto").collection("docs");
  const clean = objectPrototypeSnapshot();

  beforeEach(async () => {
    await coll().drop().catch(() => undefined);
    await coll().insertMany([{ _id: 1, a: 1 }, { _id: 2, a: 2 }] as never);
  });

  afterEach(() => {
    expect(objectPrototypeSnapshot()).toEqual(clean);
    expect(({} as Document).polluted).toBeUndefined();
  });

  it("$set through __proto__ creates a field named __proto__ on that document only", async () => {
    const result = await coll().updateOne({ _id: 1 } as never, { $set: { "__proto__.polluted": "x" } });
    expect(result.modifiedCount).toBe(1);
    const [one, two] = await coll().find().sort({ _id: 1 }).toArray();
    expect(Object.hasOwn(one, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(one, "__proto__")?.value).toEqual({ polluted: "x" });
    expect(Object.hasOwn(two, "__proto__")).toBe(false);
    expect(await coll().countDocuments({ polluted: { $exists: true } })).toBe(0);
    expect(await coll().countDocuments({ "__proto__.polluted": "x" })).toBe(1);
    expect(await db.client().db("other").collection("c").countDocuments({ polluted: "x" })).toBe(0);
  });

  it("$inc, $rename and $unset through __proto__ act on the document's own field", async () => {
    await coll().updateOne({ _id: 1 } as never, { $inc: { "__proto__.n": 2 } });
    await coll().updateOne({ _id: 2 } as never, { $rename: { a: "__proto__.b" } });
    const [one, two] = await coll().find().sort({ _id: 1 }).toArray();
    expect(Object.getOwnPropertyDescriptor(one, "__proto__")?.value).toEqual({ n: 2 });
    expect(two).not.toHaveProperty("a");
    expect(Object.getOwnPropertyDescriptor(two, "__proto__")?.value).toEqual({ b: 2 });
    await coll().updateOne({ _id: 1 } as never, { $unset: { "__proto__.n": "" } });
    const after = await coll().findOne({ _id: 1 } as never);
    expect(Object.getOwnPropertyDescriptor(after, "__proto__")?.value).toEqual({});
    expect(await coll().countDocuments({ n: 2 })).toBe(0);
  });

  it("an upsert whose filter goes through __proto__ seeds an own field", async () => {
    const result = await coll().updateOne({ "__proto__.k": 7 }, { $set: { "constructor.v": 1 } }, { upsert: true });
    expect(result.upsertedCount).toBe(1);
    const doc = await coll().findOne({ _id: result.upsertedId! });
    expect(Object.getOwnPropertyDescriptor(doc, "__proto__")?.value).toEqual({ k: 7 });
    expect(Object.getOwnPropertyDescriptor(doc, "constructor")?.value).toEqual({ v: 1 });
    expect(await coll().countDocuments({ k: 7 })).toBe(0);
  });

  it("$set of __proto__.toString keeps every connection serving", async () => {
    await coll().updateOne({ _id: 1 } as never, { $set: { "__proto__.toString": "x", "__proto__.valueOf": "y" } });
    expect(await coll().countDocuments()).toBe(2);
    expect(await db.client().db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
    expect(await coll().find({ "__proto__.toString": "x" }).project({ _id: 1 }).toArray()).toEqual([{ _id: 1 }]);
  });

  it.each(INHERITED)("%s reads as missing in filters on a clean collection", async (name) => {
    expect(await coll().countDocuments({ [name]: { $exists: true } })).toBe(0);
    expect(await coll().countDocuments({ [name]: { $exists: false } })).toBe(2);
    expect(await coll().countDocuments({ [name]: null })).toBe(2);
    expect(await coll().countDocuments({ [`${name}.name`]: { $exists: true } })).toBe(0);
    const typeOf = coll().countDocuments({ $expr: { $eq: [{ $type: `$${name}` }, "missing"] } });
    // Operator expressions are evaluated by mingo, which refuses a path through __proto__ outright.
    if (name === "__proto__") await expect(typeOf).rejects.toMatchObject({ code: 2, codeName: "BadValue" });
    else expect(await typeOf).toBe(2);
  });

  it.each(["constructor", "toString", "valueOf", "hasOwnProperty"])("%s can be stored, matched, projected, renamed and unset", async (name) => {
    await coll().updateOne({ _id: 2 } as never, { $set: { [name]: "mine" } });
    expect(await coll().find({ [name]: "mine" }).project({ _id: 1 }).toArray()).toEqual([{ _id: 2 }]);
    expect(await coll().find({}, { projection: { _id: 0, [name]: 1 } }).sort({ _id: 1 }).toArray()).toEqual([{}, { [name]: "mine" }]);
    await coll().updateOne({ _id: 2 } as never, { $rename: { [name]: "renamed" } });
    expect(await coll().findOne({ _id: 2 } as never)).toEqual({ _id: 2, a: 2, renamed: "mine" });
    await coll().updateOne({ _id: 1 } as never, { $inc: { [name]: 1 } });
    await coll().updateOne({ _id: 1 } as never, { $unset: { [name]: "" } });
    expect(await coll().findOne({ _id: 1 } as never)).toEqual({ _id: 1, a: 1 });
  });

  it("projections, $group keys, expressions and sorts see inherited names as missing", async () => {
    await coll().insertOne({ _id: 3, constructor: "c3", toString: 0 } as never);
    expect(await coll().find({}, { projection: { _id: 0, constructor: 1, "toString.x": 1 } }).sort({ _id: 1 }).toArray()).toEqual([{}, {}, { constructor: "c3" }] as Document[]);
    expect(await coll().find({}, { projection: { a: 0, _id: 0 } }).sort({ _id: 1 }).toArray()).toEqual([{}, {}, { constructor: "c3", toString: 0 }] as Document[]);
    const groups = await coll().aggregate([{ $group: { _id: "$constructor", n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(groups).toEqual([{ _id: null, n: 2 }, { _id: "c3", n: 1 }]);
    const projected = await coll().aggregate([{ $sort: { _id: 1 } }, { $project: { _id: 0, c: "$constructor", t: { $type: "$valueOf" }, s: "$toString" } }]).toArray();
    expect(projected).toEqual([{ t: "missing" }, { t: "missing" }, { c: "c3", t: "missing", s: 0 }]);
    const sorted = await coll().find().sort({ constructor: -1, _id: 1 } as Sort).project({ _id: 1 }).toArray();
    expect(sorted).toEqual([{ _id: 3 }, { _id: 1 }, { _id: 2 }]);
    const byToString = await coll().find().sort({ toString: 1, _id: -1 } as Sort).project({ _id: 1 }).toArray();
    expect(byToString).toEqual([{ _id: 2 }, { _id: 1 }, { _id: 3 }]);
    expect(await coll().distinct("constructor")).toEqual(["c3"]);
  });

  it("an index on an inherited name indexes the own field only", async () => {
    await coll().createIndex({ constructor: 1 }, { unique: true, partialFilterExpression: { constructor: { $exists: true } } });
    await coll().createIndex({ toString: 1 });
    await coll().insertOne({ _id: 3, constructor: "c", toString: "t" } as never);
    await expect(coll().insertOne({ _id: 4, constructor: "c" } as never)).rejects.toMatchObject({ code: 11000 });
    await coll().insertOne({ _id: 5 } as never);
    expect(await coll().find({ toString: null }).project({ _id: 1 }).sort({ _id: 1 }).toArray()).toEqual([{ _id: 1 }, { _id: 2 }, { _id: 5 }]);
    expect(await coll().find({ toString: "t" }).project({ _id: 1 }).toArray()).toEqual([{ _id: 3 }]);
  });

  it("a stored __proto__ field is matched, projected and grouped like any other", async () => {
    await coll().insertOne(withProtoField({ k: 1 }, { _id: 9 }));
    expect(await coll().find({ "__proto__.k": 1 }).project({ _id: 1 }).toArray()).toEqual([{ _id: 9 }]);
    expect(await coll().countDocuments({ k: 1 })).toBe(0);
    const projected = await coll().findOne({ _id: 9 } as never, { projection: { _id: 0, "__proto__.k": 1 } });
    expect(Object.getOwnPropertyDescriptor(projected, "__proto__")?.value).toEqual({ k: 1 });
    await coll().updateOne({ _id: 9 } as never, [{ $set: { copied: "$__proto__.k" } }]);
    expect(await coll().findOne({ _id: 9 } as never)).toMatchObject({ copied: 1 });
  });

  it("a command named after an inherited property is an unknown command", async () => {
    await expect(db.client().db("proto").command({ constructor: 1 })).rejects.toMatchObject({ code: 59, codeName: "CommandNotFound" });
    await expect(db.client().db("proto").command({ hasOwnProperty: 1 })).rejects.toMatchObject({ code: 59 });
  });

  it("a pipeline update through inherited names writes own fields", async () => {
    await coll().updateOne({ _id: 1 } as never, [{ $set: { toString: "s", "constructor.x": 1 } }]);
    const doc = await coll().findOne({ _id: 1 } as never);
    expect(doc).toEqual({ _id: 1, a: 1, toString: "s", constructor: { x: 1 } });
  });
});

/** Deterministic generator so a failure names a path that can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

describe("fuzz: update paths through inherited names", () => {
  const coll = () => db.client().db("proto").collection("fuzz");
  const SEGMENTS = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineSetter__", "a", "0", "$", "$[]", "length"];
  const OPERATORS = ["$set", "$inc", "$mul", "$min", "$max", "$unset", "$rename", "$push", "$addToSet", "$pop", "$pull", "$currentDate", "$setOnInsert"];

  it("never changes Object.prototype or Array.prototype and the server keeps serving", async () => {
    const objectBefore = objectPrototypeSnapshot();
    const arrayBefore = Object.getOwnPropertyNames(Array.prototype);
    const random = rng(25);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const path = () => Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(SEGMENTS)).join(".");
    await coll().insertMany([{ _id: 1, a: [{ x: 1 }], n: 1 }, { _id: 2, a: { b: 1 } }] as never);
    let accepted = 0;
    for (let i = 0; i < 300; i++) {
      const op = pick(OPERATORS);
      const target = path();
      const value = op === "$rename" ? path() : op === "$currentDate" ? true : op === "$pop" ? 1 : pick([1, "x", { y: 1 }]);
      const filter = random() < 0.3 ? { [path()]: { $exists: random() < 0.5 } } : { _id: pick([1, 2, 3]) };
      const update = { [op]: { [target]: value } };
      try {
        await coll().updateMany(filter as Document, update, { upsert: random() < 0.2 });
        accepted++;
      } catch (error) {
        // Invalid paths are refused with mongod's codes, never by a crash.
        expect(error).toMatchObject({ code: expect.any(Number) });
        expect((error as { code: number }).code).not.toBe(1);
      }
      expect(objectPrototypeSnapshot()).toEqual(objectBefore);
      expect(Object.getOwnPropertyNames(Array.prototype)).toEqual(arrayBefore);
    }
    expect(accepted).toBeGreaterThan(30);
    expect(await db.client().db("admin").command({ ping: 1 })).toMatchObject({ ok: 1 });
    for (const doc of await coll().find().toArray()) expect(EJSON.stringify(doc)).not.toContain("function");
    expect(await db.client().db("proto").collection("docs").countDocuments({ polluted: { $exists: true } })).toBe(0);
    expect(({} as Document).toString).toBe(Object.prototype.toString);
  });
});

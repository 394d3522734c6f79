import { Long, ObjectId } from "bson";
import { compileFilter } from "../../../src/embedded-mongo/query";

const schema = {
  bsonType: "object",
  required: ["name", "age"],
  properties: {
    _id: { bsonType: "objectId" },
    name: { bsonType: "string", minLength: 2, pattern: "^[A-Z]" },
    age: { bsonType: ["int", "long"], minimum: 0, maximum: 150 },
    tags: { bsonType: "array", items: { bsonType: "string" }, uniqueItems: true, maxItems: 3 },
    role: { enum: ["student", "admin"] },
    address: { bsonType: "object", additionalProperties: false, properties: { city: { type: "string" } } },
  },
};

describe("$jsonSchema", () => {
  const valid = compileFilter({ $jsonSchema: schema });

  it("accepts documents that satisfy the schema", () => {
    expect(valid({ _id: new ObjectId(), name: "Ada", age: 36, tags: ["a", "b"], role: "admin", address: { city: "London" } })).toBe(true);
    expect(valid({ name: "Bo", age: Long.fromNumber(5) })).toBe(true);
  });

  it("rejects documents that break a keyword", () => {
    expect(valid({ name: "Ada" })).toBe(false);
    expect(valid({ name: "ada", age: 1 })).toBe(false);
    expect(valid({ name: "A", age: 1 })).toBe(false);
    expect(valid({ name: "Ada", age: -1 })).toBe(false);
    expect(valid({ name: "Ada", age: 1.5 })).toBe(false);
    expect(valid({ name: "Ada", age: 1, tags: ["a", "a"] })).toBe(false);
    expect(valid({ name: "Ada", age: 1, tags: [1] })).toBe(false);
    expect(valid({ name: "Ada", age: 1, role: "guest" })).toBe(false);
    expect(valid({ name: "Ada", age: 1, address: { city: "x", zip: 1 } })).toBe(false);
  });

  it("combines with other conditions and rejects unknown keywords", () => {
    expect(compileFilter({ $jsonSchema: { anyOf: [{ required: ["a"] }, { required: ["b"] }] }, c: 1 })({ b: 1, c: 1 })).toBe(true);
    expect(compileFilter({ $jsonSchema: { not: { required: ["a"] } } })({ a: 1 })).toBe(false);
    expect(() => compileFilter({ $jsonSchema: { bogus: 1 } })).toThrow(expect.objectContaining({ code: 9 }));
  });
});

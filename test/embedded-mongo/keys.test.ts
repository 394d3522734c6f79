import { Decimal128, Double, Int32, Long, ObjectId } from "bson";
import { valueKey } from "../../src/embedded-mongo/storage/keys";

describe("canonical index keys", () => {
  it("gives numerically equal values of every BSON number type one key", () => {
    const one = [1, new Int32(1), new Double(1), Long.fromNumber(1), Decimal128.fromString("1"), Decimal128.fromString("1.000"), Decimal128.fromString("0.1E+1")];
    expect(new Set(one.map((v) => valueKey({ v }))).size).toBe(1);
    expect(valueKey(1.5)).toBe(valueKey(Decimal128.fromString("1.50")));
    expect(valueKey(-0)).toBe(valueKey(0));
    expect(valueKey(Long.fromString("9007199254740993"))).toBe(valueKey(Decimal128.fromString("9007199254740993")));
    expect(valueKey(2 ** 60)).toBe(valueKey(Long.fromString("1152921504606846976")));
    expect(valueKey(NaN)).toBe(valueKey(Decimal128.fromString("NaN")));
    expect(valueKey(Infinity)).toBe(valueKey(Decimal128.fromString("Infinity")));
  });

  it("keeps values apart that MongoDB does not consider equal", () => {
    expect(valueKey(0.1)).not.toBe(valueKey(Decimal128.fromString("0.1")));
    expect(valueKey(1)).not.toBe(valueKey("1"));
    expect(valueKey({ a: 1, b: 2 })).not.toBe(valueKey({ b: 2, a: 1 }));
    expect(valueKey([1, 2])).not.toBe(valueKey([2, 1]));
    expect(valueKey(null)).not.toBe(valueKey(false));
    expect(valueKey(new ObjectId("0".repeat(24)))).not.toBe(valueKey("0".repeat(24)));
    expect(valueKey({ s: 'a","b' })).not.toBe(valueKey({ s: "a", b: "b" }));
    expect(valueKey(new Date(5))).not.toBe(valueKey(5));
  });
});

import type { Document } from "bson";

/**
 * Canonical string for a BSON value such that two values get the same key exactly when MongoDB
 * treats them as equal for index lookups: numbers compare by value across int32/int64/double/
 * Decimal128, documents by field order and values. Used for the _id map and index buckets.
 */
export function valueKey(value: unknown): string {
  switch (typeof value) {
    case "string":
      return "s" + value;
    case "number":
      return numberKey(value);
    default:
      return encode(value);
  }
}

/** Numbers of every BSON type share one canonical decimal spelling, so equal values share a key. */
function numberKey(n: number): string {
  if (Number.isSafeInteger(n)) return "n" + String(n);
  if (!Number.isFinite(n)) return "n" + String(n);
  return "n" + (Number.isInteger(n) ? BigInt(n).toString() : exactDecimal(n));
}

/**
 * The exact value of a non-integer double in decimal (every double is a dyadic fraction, so it
 * terminates): 1.5 equals Decimal128 "1.50" in MongoDB, while 0.1 does not equal Decimal128 "0.1".
 */
function exactDecimal(n: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, n);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  const mantissa = biased === 0 ? fraction : fraction | (1n << 52n);
  const scale = biased === 0 ? 1074 : 1075 - biased;
  return (n < 0 ? "-" : "") + placePoint((mantissa * 5n ** BigInt(scale)).toString(), scale);
}

/** `digits` × 10^-scale written plainly, without leading or trailing zeros. */
function placePoint(digits: string, scale: number): string {
  const trimmed = digits.replace(/^0+/, "") || "0";
  if (trimmed === "0") return "0";
  if (scale <= 0) return trimmed + "0".repeat(-scale);
  const padded = trimmed.padStart(scale + 1, "0");
  const integer = padded.slice(0, padded.length - scale);
  const fractionDigits = padded.slice(padded.length - scale).replace(/0+$/, "");
  return fractionDigits ? `${integer}.${fractionDigits}` : integer;
}

function decimalKey(text: string): string {
  const match = /^([+-]?)(\d+)(?:\.(\d*))?(?:E([+-]?\d+))?$/i.exec(text);
  if (!match) return "n" + text.replace(/^\+/, "");
  const [, sign, integer, fraction = "", exponent = "0"] = match;
  const plain = placePoint(integer + fraction, fraction.length - Number(exponent));
  return "n" + (sign === "-" && plain !== "0" ? "-" : "") + plain;
}

function encode(value: unknown): string {
  if (value === null || value === undefined) return "z";
  switch (typeof value) {
    case "string":
      return "s" + JSON.stringify(value);
    case "number":
      return numberKey(value);
    case "boolean":
      return value ? "T" : "F";
    case "bigint":
      return "n" + value.toString();
  }
  if (value instanceof Date) return "d" + value.getTime();
  if (Array.isArray(value)) return "[" + value.map(encode).join(",") + "]";
  if (value instanceof RegExp) return "r" + JSON.stringify(value.source + "/" + value.flags);
  const doc = value as Document;
  switch (doc._bsontype) {
    case "ObjectId":
      return "o" + doc.toHexString();
    case "Long":
      return "n" + doc.toString();
    case "Int32":
    case "Double":
      return numberKey(doc.valueOf() as number);
    case "Decimal128":
      return decimalKey(doc.toString() as string);
    case "Binary":
      return "b" + doc.sub_type + ":" + Buffer.from(doc.buffer as Uint8Array).toString("base64");
    case "Timestamp":
      return "t" + doc.toString();
    case "MinKey":
      return "m-";
    case "MaxKey":
      return "m+";
    case "BSONRegExp":
      return "r" + JSON.stringify(doc.pattern + "/" + doc.options);
    case "BSONSymbol":
      return "s" + JSON.stringify(doc.value);
    case "Code":
      return "c" + JSON.stringify(String(doc.code)) + encode(doc.scope ?? null);
    case "DBRef":
      return encode(doc.toJSON());
  }
  let out = "{";
  for (const key of Object.keys(doc)) {
    if (doc[key] === undefined) continue;
    out += JSON.stringify(key) + ":" + encode(doc[key]) + ",";
  }
  return out + "}";
}

import type { Long } from "bson";
import { canonicalExact, exactOf } from "./exact-decimal";
import { Rank, rankOf, toNumber } from "./bson-order";

function numberKey(v: unknown): string {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v === 0 ? "0" : String(v);
  const exact = exactOf(v);
  return exact ? canonicalExact(exact) : String(toNumber(v));
}

/**
 * A string identical for two values exactly when they compare equal in BSON order
 * (1, 1.0, NumberLong(1) and NumberDecimal("1") share one key): the hash of `$group`,
 * `$addToSet`, `distinct` and `$lookup` joins.
 */
export function valueKey(v: unknown): string {
  switch (rankOf(v)) {
    case Rank.MinKey:
      return "-";
    case Rank.MaxKey:
      return "+";
    case Rank.Null:
      return "n";
    case Rank.Number:
      return "#" + numberKey(v);
    case Rank.String:
      return "s" + JSON.stringify(String(v));
    case Rank.Boolean:
      return v ? "t" : "f";
    case Rank.Date:
      return "d" + (v as Date).getTime();
    case Rank.Array:
      return "[" + (v as unknown[]).map(valueKey).join(",") + "]";
    case Rank.Object:
      return "{" + Object.entries(v as object).filter(([, x]) => x !== undefined).map(([k, x]) => JSON.stringify(k) + ":" + valueKey(x)).join(",") + "}";
    case Rank.ObjectId:
      return "i" + (v as { toHexString(): string }).toHexString();
    case Rank.BinData: {
      if (v instanceof Uint8Array) return "b0:" + Buffer.from(v).toString("base64");
      const bin = v as { sub_type: number; buffer: Uint8Array; position: number };
      return `b${bin.sub_type}:` + Buffer.from(bin.buffer.subarray(0, bin.position)).toString("base64");
    }
    case Rank.Timestamp: {
      const ts = v as Long;
      return `T${ts.high >>> 0}:${ts.low >>> 0}`;
    }
    case Rank.RegExp: {
      if (v instanceof RegExp) return `r/${v.source}/${v.flags}`;
      const r = v as { pattern: string; options: string };
      return `r/${r.pattern}/${r.options}`;
    }
    default:
      return "?" + String((v as { code?: unknown }).code ?? v);
  }
}

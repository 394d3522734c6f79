import { Long } from "bson";
import { commandError } from "../errors";
import { bsonTypeOf, isNumeric, toNumber } from "./bson-order";

/** Bit positions selected by a `$bits*` operand: a non-negative number, a BinData mask or a list of positions. */
export function parseBitMask(op: string, operand: unknown): number[] {
  if (Array.isArray(operand)) {
    return operand.map((p) => {
      const n = isNumeric(p) ? toNumber(p) : NaN;
      if (!Number.isInteger(n) || n < 0) throw commandError("BadValue", `bit positions in ${op} must be non-negative integers`);
      return n;
    });
  }
  if (isNumeric(operand)) {
    const n = toNumber(operand);
    if (!Number.isInteger(n) || n < 0) throw commandError("BadValue", `${op} takes a non-negative whole number bitmask`);
    const positions: number[] = [];
    let big = BigInt(n);
    for (let i = 0; big > 0n; i++, big >>= 1n) if (big & 1n) positions.push(i);
    return positions;
  }
  const bytes = binaryBytes(operand);
  if (!bytes) throw commandError("BadValue", `${op} takes an Array, a number, or a BinData`);
  return setPositions(bytes);
}

function binaryBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (bsonTypeOf(v) !== "Binary") return undefined;
  const bin = v as { buffer: Uint8Array; position: number };
  return bin.buffer.subarray(0, bin.position);
}

function setPositions(bytes: Uint8Array): number[] {
  const out: number[] = [];
  bytes.forEach((b, i) => {
    for (let j = 0; j < 8; j++) if (b & (1 << j)) out.push(i * 8 + j);
  });
  return out;
}

/** Bit reader over an integral numeric (two's complement, sign-extended) or a BinData value. */
function bitReader(v: unknown): ((i: number) => boolean) | undefined {
  const bytes = binaryBytes(v);
  if (bytes) return (i) => i >> 3 < bytes.length && (bytes[i >> 3] & (1 << (i & 7))) !== 0;
  if (!isNumeric(v)) return undefined;
  let big: bigint;
  if (bsonTypeOf(v) === "Long") big = (v as Long).toBigInt();
  else {
    const n = toNumber(v);
    if (!Number.isInteger(n) || n < -(2 ** 63) || n >= 2 ** 63) return undefined;
    big = BigInt(n);
  }
  return (i) => ((i >= 64 ? big >> 63n : big >> BigInt(i)) & 1n) === 1n;
}

export function bitTester(op: string, positions: number[]): (v: unknown) => boolean {
  return (v) => {
    const bit = bitReader(v);
    if (!bit) return false;
    switch (op) {
      case "$bitsAllSet":
        return positions.every((p) => bit(p));
      case "$bitsAnySet":
        return positions.some((p) => bit(p));
      case "$bitsAllClear":
        return positions.every((p) => !bit(p));
      default:
        return positions.some((p) => !bit(p));
    }
  };
}

import { commandError } from "../errors";
import { bsonTypeOf } from "./bson-order";

export function isRegexValue(v: unknown): boolean {
  return v instanceof RegExp || bsonTypeOf(v) === "BSONRegExp";
}

/** PCRE's extended mode (`x`): unescaped whitespace and `#` comments are not part of the pattern. */
function stripExtended(pattern: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      out += c + (pattern[i + 1] ?? "");
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
      out += c;
    } else if (c === "[") {
      inClass = true;
      out += c;
    } else if (c === "#") {
      while (i < pattern.length && pattern[i] !== "\n") i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

/** A JS RegExp for a query regex given as a string, RegExp or BSONRegExp, plus `$options`. */
export function toRegExp(value: unknown, options?: string): RegExp {
  let source: string;
  let flags: string;
  if (value instanceof RegExp) [source, flags] = [value.source, value.flags];
  else if (bsonTypeOf(value) === "BSONRegExp") {
    const r = value as { pattern: string; options: string };
    [source, flags] = [r.pattern, r.options];
  } else [source, flags] = [String(value), ""];
  // g/y/d are JS-only flags a RegExp can carry; they do not change what matches.
  const all = new Set((flags + (options ?? "")).split("").filter((f) => !"gyd".includes(f)));
  for (const f of all) {
    if (!"imsxu".includes(f)) throw commandError("BadValue", `invalid flag in regex options: ${f}`);
  }
  if (all.has("x")) source = stripExtended(source);
  const jsFlags = ["i", "m", "s", "u"].filter((f) => all.has(f)).join("");
  try {
    return new RegExp(source, jsFlags);
  } catch (err) {
    throw commandError("BadValue", `Regular expression is invalid: ${(err as Error).message}`);
  }
}

export function regexMatches(re: RegExp, v: unknown): boolean {
  if (typeof v === "string") return re.test(v);
  const type = bsonTypeOf(v);
  if (type === "BSONSymbol") return re.test(String(v));
  if (v instanceof RegExp) return v.source === re.source && v.flags === re.flags;
  if (type === "BSONRegExp") {
    const r = v as { pattern: string; options: string };
    return r.pattern === re.source && r.options === re.flags;
  }
  return false;
}

import { jsonrepair } from "jsonrepair";
import type { z } from "zod";

export type ParsedAnswer<Value> =
  | { ok: true; value: Value; repairedLocally: boolean }
  | { ok: false; problems: string[] };

/**
 * Reads a model's JSON answer and checks it against `schema`. Syntax slips (code fences, trailing
 * commas, prose around the object, a cut-off end) are repaired here, which costs no tokens; an
 * answer that still does not fit comes back with the problems to show the model.
 */
export function parseJsonAnswer<Value>(text: string, schema: z.ZodType<Value>): ParsedAnswer<Value> {
  const read = readJson(text);
  if (!read.ok) return { ok: false, problems: ["the answer is not valid JSON"] };
  const checked = schema.safeParse(read.value);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) =>
      issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message,
    );
    return { ok: false, problems };
  }
  return { ok: true, value: checked.data, repairedLocally: read.repaired };
}

function readJson(text: string): { ok: true; value: unknown; repaired: boolean } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text), repaired: false };
  } catch {
    // Not plain JSON: try the repairs below.
  }
  const start = text.search(/[[{]/);
  const end = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  // Prose before or after the JSON, or an answer cut off before its end.
  const candidates = start < 0 ? [text] : [text, text.slice(start, end + 1), text.slice(start)];
  for (const candidate of candidates) {
    try {
      return { ok: true, value: JSON.parse(jsonrepair(candidate)), repaired: true };
    } catch {
      // Try the next candidate.
    }
  }
  return { ok: false };
}

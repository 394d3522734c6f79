import { jsonrepair } from "jsonrepair";
import type { z } from "zod";
import type { Logger } from "../../lib/logger";
import { fail, unavailable } from "./failures";
import { jsonRepairPrompt } from "./prompts";
import type { AiProviderName, JsonPrompt, TokenUsage } from "./provider";

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

/**
 * A provider's JSON answer: `generate` asks the model, an answer that does not fit the schema is
 * shown back to the model once with its problems, and a second miss is AI_UNAVAILABLE.
 */
export async function answerJson<Value>(
  provider: AiProviderName,
  prompt: JsonPrompt<Value>,
  generate: (prompt: JsonPrompt<Value>) => Promise<{ text: string; usage: TokenUsage }>,
  log: Logger,
): Promise<{ value: Value; repaired: boolean; usage: TokenUsage }> {
  const first = await generate(prompt);
  const parsed = parseJsonAnswer(first.text, prompt.schema);
  if (parsed.ok) return { value: parsed.value, repaired: parsed.repairedLocally, usage: first.usage };
  log.warn({ purpose: prompt.purpose, problems: parsed.problems }, "ai: invalid JSON answer, asking for a repair");
  const second = await generate(jsonRepairPrompt(prompt, first.text, parsed.problems));
  const repaired = parseJsonAnswer(second.text, prompt.schema);
  if (!repaired.ok) {
    fail(unavailable(provider, "The AI service's answer did not have the expected form", { reason: "INVALID_OUTPUT", problems: repaired.problems }));
  }
  return { value: repaired.value, repaired: true, usage: addUsage(first.usage, second.usage) };
}

function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  const sum = (x?: number, y?: number) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  return { inputTokens: sum(a.inputTokens, b.inputTokens), outputTokens: sum(a.outputTokens, b.outputTokens) };
}

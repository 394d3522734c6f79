import { GraphQLError } from "graphql";
import type OpenAI from "openai";
import { z } from "zod";
import type { JsonPrompt } from "../provider";

/**
 * How a server is asked for JSON, best first. OpenAI, Ollama, llama.cpp, vLLM and LM Studio hold
 * the model to a JSON Schema; older servers know only JSON mode, or nothing: then the schema goes
 * into the instructions and the answer is checked and repaired like any other.
 */
export type JsonMode = "json_schema" | "json_object" | "plain";

const FALLBACK: Record<JsonMode, JsonMode | undefined> = { json_schema: "json_object", json_object: "plain", plain: undefined };

type JsonRequest = Pick<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming, "messages" | "response_format">;

/** The messages and response format that ask for `prompt`'s JSON in `mode`. */
export function jsonRequest(prompt: JsonPrompt<unknown>, mode: JsonMode): JsonRequest {
  const schema = jsonSchemaOf(prompt.schema);
  if (mode === "json_schema") {
    return {
      messages: messagesOf(prompt.system, prompt.text),
      // Not `strict`: OpenAI's strict mode refuses optional properties, which the output schemas have.
      response_format: { type: "json_schema", json_schema: { name: prompt.purpose, schema, strict: false } },
    };
  }
  const system = `${prompt.system}\nThe JSON value must match this JSON Schema:\n${JSON.stringify(schema)}`;
  return { messages: messagesOf(system, prompt.text), ...(mode === "json_object" && { response_format: { type: "json_object" } }) };
}

/**
 * The mode to try next when the server refused `mode`'s request as malformed (HTTP 400 or 422):
 * most likely it does not know that response format. Undefined when there is nothing left to drop.
 */
export function fallbackFor(mode: JsonMode, error: unknown): JsonMode | undefined {
  if (!(error instanceof GraphQLError)) return undefined;
  const { reason, status } = error.extensions as { reason?: string; status?: number };
  return reason === "REJECTED" && (status === 400 || status === 422) ? FALLBACK[mode] : undefined;
}

export function messagesOf(system: string, text: string): OpenAI.Chat.ChatCompletionMessageParam[] {
  return [
    { role: "system", content: system },
    { role: "user", content: text },
  ];
}

/** The schema the answer is checked against, so the model is held to the same one. */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  const jsonSchema = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  // The dialect URL means nothing to the servers, and some grammar converters trip over it.
  delete jsonSchema.$schema;
  return jsonSchema;
}

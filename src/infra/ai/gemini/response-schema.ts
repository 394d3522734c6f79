import { SchemaType, type ResponseSchema } from "@google/generative-ai";
import { z } from "zod";

/** The part of JSON Schema that zod emits for the output schemas and Gemini understands. */
interface JsonSchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
}

/**
 * Gemini's `responseSchema` (an OpenAPI subset) from a zod schema, so the schema the model is
 * held to and the one its answer is checked against are the same. Checks that JSON Schema can
 * express but Gemini cannot (lengths, ranges, refinements) are still enforced by zod afterwards.
 */
export function toResponseSchema(schema: z.ZodType): ResponseSchema {
  return convert(z.toJSONSchema(schema, { io: "input" }) as JsonSchema, "$");
}

function convert(node: JsonSchema, path: string): ResponseSchema {
  const description = node.description;
  // zod writes a nullable value as `type: [T, "null"]`, or as `anyOf: [T, null]` for objects and arrays.
  if (Array.isArray(node.type) && node.type.length === 2 && node.type.includes("null")) {
    return { ...convert({ ...node, type: node.type.find((type) => type !== "null") }, path), nullable: true };
  }
  const nullableOf = node.anyOf?.find((option) => option.type !== "null");
  if (nullableOf && node.anyOf?.length === 2 && node.anyOf.some((option) => option.type === "null")) {
    return { ...convert(nullableOf, path), nullable: true, ...(description && { description }) };
  }
  switch (node.type) {
    case "string":
      return node.enum
        ? { type: SchemaType.STRING, format: "enum", enum: node.enum.map(String), description }
        : { type: SchemaType.STRING, description };
    case "number":
      return { type: SchemaType.NUMBER, description };
    case "integer":
      return { type: SchemaType.INTEGER, description };
    case "boolean":
      return { type: SchemaType.BOOLEAN, description };
    case "array":
      if (!node.items) throw new Error(`response schema: array without items at ${path}`);
      return {
        type: SchemaType.ARRAY,
        items: convert(node.items, `${path}[]`),
        minItems: node.minItems,
        maxItems: node.maxItems,
        description,
      };
    case "object":
      return {
        type: SchemaType.OBJECT,
        properties: Object.fromEntries(
          Object.entries(node.properties ?? {}).map(([key, value]) => [key, convert(value, `${path}.${key}`)]),
        ),
        required: node.required,
        description,
      };
    default:
      throw new Error(`response schema: unsupported JSON Schema at ${path}: ${JSON.stringify(node)}`);
  }
}

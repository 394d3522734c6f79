import { z } from "zod";
import { toResponseSchema } from "../../src/infra/ai/gemini/response-schema";
import { courseOutlineSchema } from "../../src/infra/ai/schemas";

/** Gemini's responseSchema is derived from the zod schema the answer is checked against. */

it("converts the course outline schema", () => {
  expect(toResponseSchema(courseOutlineSchema)).toEqual({
    type: "object",
    required: ["title", "description", "chapters"],
    properties: {
      title: { type: "string", description: "Course title" },
      description: { type: "string", description: "Two or three sentences on what the course covers" },
      chapters: {
        type: "array",
        minItems: 1,
        maxItems: 20,
        items: {
          type: "object",
          required: ["title", "content", "durationMinutes"],
          properties: {
            title: { type: "string", description: "Chapter title" },
            content: { type: "string", description: "The chapter's teaching text in Markdown" },
            durationMinutes: { type: "integer", description: "Estimated study time in minutes" },
          },
        },
      },
    },
  });
});

it("converts enums, booleans, numbers, optional and nullable fields", () => {
  const schema = z.object({
    level: z.enum(["EASY", "HARD"]),
    done: z.boolean(),
    score: z.number(),
    note: z.string().nullable(),
    hint: z.string().optional(),
    extra: z.object({ a: z.string() }).nullable(),
  });
  expect(toResponseSchema(schema)).toEqual({
    type: "object",
    required: ["level", "done", "score", "note", "extra"],
    properties: {
      level: { type: "string", format: "enum", enum: ["EASY", "HARD"] },
      done: { type: "boolean" },
      score: { type: "number" },
      note: { type: "string", nullable: true },
      hint: { type: "string" },
      extra: { type: "object", required: ["a"], properties: { a: { type: "string" } }, nullable: true },
    },
  });
});

it("refuses what Gemini's schema subset cannot say", () => {
  expect(() => toResponseSchema(z.object({ either: z.union([z.string(), z.number()]) }))).toThrow(/unsupported JSON Schema at \$\.either/);
});

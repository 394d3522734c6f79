import { GraphQLError } from "graphql";
import { paragraphs, sentences, terms } from "../../src/infra/ai/offline/text";
import { courseOutlinePrompt, quizPrompt, shortAnswerGradePrompt, STRICT_REFUSAL, tutorAnswerPrompt } from "../../src/infra/ai/prompts";
import { courseOutlineSchema, normalizeOption, quizSchema } from "../../src/infra/ai/schemas";
import { dot } from "../../src/infra/ai/vectors";
import { PARAGRAPHS } from "./fixtures/paragraphs";
import { PHOTOSYNTHESIS } from "./fixtures/photosynthesis";
import { offline } from "./providers";

/** The offline provider: deterministic, no network, and useful on real text. */

const passages = paragraphs(PHOTOSYNTHESIS).map((text) => ({ text }));

describe("determinism", () => {
  it("gives the same outputs for the same inputs, across instances", async () => {
    const run = async () => {
      const { provider } = offline();
      return {
        vectors: await provider.embed(PARAGRAPHS.slice(0, 5), "document"),
        quiz: await provider.generateJson(quizPrompt({ passages, numQuestions: 5, difficulty: "MEDIUM" })),
        outline: await provider.generateJson(courseOutlinePrompt({ topic: "Photosynthesis", level: "BEGINNER", numChapters: 4, source: { text: PHOTOSYNTHESIS } })),
        answer: await provider.generateText(tutorAnswerPrompt({ question: "What does rubisco do?", passages, history: [], mode: "STRICT" })),
      };
    };
    expect(await run()).toEqual(await run());
  });
});

describe("embeddings", () => {
  it("ranks first, among 50 paragraphs, the paragraph whose words a query uses", async () => {
    const { provider } = offline();
    const documents = await provider.embed(PARAGRAPHS, "document");
    const misses: string[] = [];
    for (const [index, paragraph] of PARAGRAPHS.entries()) {
      // Five of the paragraph's content words, in another order, with question words around them.
      const words = paragraph.match(/[A-Za-z']+/g)!.filter((word) => terms(word).length > 0);
      const picked = [...new Set(words)].filter((_, i) => i % 2 === 1).slice(0, 5).reverse();
      const query = `What do we know about ${picked.join(" and ")}?`;
      const [vector] = await provider.embed([query], "query");
      const best = documents.map((document, i) => ({ i, score: dot(vector, document) })).sort((a, b) => b.score - a.score)[0];
      if (best.i !== index) misses.push(`${index}: "${query}" ranked ${best.i} first`);
    }
    expect(misses).toEqual([]);
  });

  it("matches inflected forms and ignores case and accents", async () => {
    const { provider } = offline();
    const [cells, cell, other] = await provider.embed(["The Cells divide.", "a cell dividing", "Volcanoes erupt lava."], "document");
    expect(dot(cells, cell)).toBeGreaterThan(0.3);
    expect(dot(cells, other)).toBeLessThan(0.1);
    const [cafe, accented] = await provider.embed(["cafe menu", "Café MENU"], "query");
    expect(dot(cafe, accented)).toBeCloseTo(1, 9);
  });

  it("names its embedding space after its algorithm and size", () => {
    expect(offline({ dimensions: 384 }).provider.embeddingModelId).toBe("offline/hashed-ngrams-v1/384");
  });
});

describe("answers", () => {
  const ask = (question: string, mode: "STRICT" | "HYBRID" = "STRICT") =>
    offline().provider.generateText(tutorAnswerPrompt({ question, passages, history: [], mode }));

  it("quotes the best-matching sentences of the material, citing their passages", async () => {
    const { text, provider } = await ask("Why do leaves look green?");
    expect(provider).toBe("offline");
    expect(text).toContain("> Chlorophyll absorbs red and blue light strongly and reflects green light, which is why leaves look green. [5]");
    for (const quote of text.matchAll(/^> (.+) \[(\d+)\]$/gm)) {
      expect(sentences(passages[Number(quote[2]) - 1].text)).toContain(quote[1]);
    }
  });

  it("refuses in strict mode, and says it cannot help in hybrid mode, when the material has nothing", async () => {
    expect((await ask("Who won the football world cup?")).text).toBe(STRICT_REFUSAL);
    expect((await ask("Who won the football world cup?", "HYBRID")).text).toMatch(/does not seem to cover this.*Offline/);
  });

  it("streams word by word with the configured delay", async () => {
    const { provider } = offline({ streamDelayMs: 5 });
    const prompt = tutorAnswerPrompt({ question: "Where is chlorophyll?", passages, history: [], mode: "STRICT" });
    const started = Date.now();
    const deltas: string[] = [];
    for await (const delta of provider.streamText(prompt)) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(10);
    expect(deltas.every((delta) => delta.trim().split(/\s+/).length === 1)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(deltas.length * 5 - 5);
    expect(deltas.join("")).toBe((await provider.generateText(prompt)).text);
  });
});

describe("quizzes", () => {
  it("writes cloze questions from informative sentences, with distractors from the same text", async () => {
    const { provider } = offline();
    const { value, provider: name } = await provider.generateJson(quizPrompt({ passages, numQuestions: 8, difficulty: "MEDIUM" }));
    expect(name).toBe("offline");
    expect(quizSchema.safeParse(value).success).toBe(true);
    expect(value.questions).toHaveLength(8);
    const answers = new Set<string>();
    for (const question of value.questions) {
      const source = passages[question.passage - 1].text;
      const original = question.explanation.match(/“(.+)”/)![1];
      expect(sentences(source)).toContain(original);
      expect(question.prompt).toContain("_____");
      const correct = question.options[question.correctIndex];
      // Putting the right option in the blank gives back the passage's sentence.
      expect(fold(question.prompt.replace("Fill in the blank: ", "").replaceAll("_____", correct))).toBe(fold(original));
      for (const option of question.options) expect(fold(PHOTOSYNTHESIS)).toContain(fold(option));
      expect(new Set(question.options.map(normalizeOption)).size).toBe(4);
      answers.add(normalizeOption(correct));
    }
    expect(answers.size).toBe(8);
  });

  it("spreads correct answers over the four positions", async () => {
    const { value } = await offline().provider.generateJson(quizPrompt({ passages, numQuestions: 12, difficulty: "HARD" }));
    expect(new Set(value.questions.map((question) => question.correctIndex)).size).toBeGreaterThan(2);
  });

  it("writes fewer questions than asked when the text runs out, never broken ones", async () => {
    const short = [{ text: "Chlorophyll absorbs light in chloroplasts. Rubisco fixes carbon dioxide in the stroma of chloroplasts." }];
    const { value } = await offline().provider.generateJson(quizPrompt({ passages: short, numQuestions: 10, difficulty: "EASY" }));
    expect(value.questions.length).toBeGreaterThanOrEqual(1);
    expect(value.questions.length).toBeLessThan(10);
    expect(quizSchema.safeParse(value).success).toBe(true);
  });

  it("refuses material too thin for four options with BAD_USER_INPUT", async () => {
    const error = await offline()
      .provider.generateJson(quizPrompt({ passages: [{ text: "Cats sleep." }], numQuestions: 1, difficulty: "EASY" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("short answer grading", () => {
  const grade = async (answer: string) =>
    (
      await offline().provider.generateJson(
        shortAnswerGradePrompt({ question: "What does rubisco fix?", acceptedAnswers: ["carbon dioxide", "CO2"], answer }),
      )
    ).value;

  it("accepts an accepted answer whatever its case, punctuation, word order or inflection", async () => {
    for (const answer of ["Carbon dioxide.", "co2", "It fixes dioxide of carbon", "carbon dioxides"]) {
      expect(await grade(answer)).toMatchObject({ correct: true, feedback: expect.stringContaining("Matches") });
    }
  });

  it("rejects other answers, saying it compares words, not meaning", async () => {
    expect(await grade("oxygen")).toEqual({ correct: false, score: 0, feedback: expect.stringContaining("not meaning") });
    expect(await grade("carbon")).toMatchObject({ correct: false, score: 0.5 });
  });
});

describe("course outlines", () => {
  const outline = (numChapters: number, text = PHOTOSYNTHESIS, title?: string) =>
    offline().provider.generateJson(courseOutlinePrompt({ topic: "Photosynthesis", level: "BEGINNER", numChapters, source: { text, title } }));

  it("follows the document's headings, one chapter each, with the document's text", async () => {
    const { value } = await outline(6, PHOTOSYNTHESIS, "Photosynthesis notes");
    expect(courseOutlineSchema.safeParse(value).success).toBe(true);
    expect(value.title).toBe("Photosynthesis notes");
    expect(value.chapters.map((chapter) => chapter.title)).toEqual([
      "Photosynthesis",
      "Where it happens",
      "The light-dependent reactions",
      "The Calvin cycle",
      "Limiting factors",
      "Why it matters",
    ]);
    expect(value.chapters[3].content).toContain("The enzyme rubisco fixes carbon dioxide");
    expect(value.chapters.every((chapter) => chapter.durationMinutes >= 5)).toBe(true);
  });

  it("merges neighbouring sections to fit fewer chapters, keeping their headings inside", async () => {
    const { value } = await outline(3);
    expect(value.chapters).toHaveLength(3);
    const all = value.chapters.map((chapter) => `${chapter.title}\n${chapter.content}`).join("\n");
    for (const heading of ["Where it happens", "The Calvin cycle", "Why it matters"]) expect(all).toContain(heading);
  });

  it("splits long sections at paragraphs to fit more chapters", async () => {
    const { value } = await outline(9);
    expect(value.chapters).toHaveLength(9);
    expect(value.chapters.some((chapter) => chapter.title.endsWith("(continued)"))).toBe(true);
  });

  it("splits a text without headings evenly at paragraphs", async () => {
    const plain = PARAGRAPHS.slice(0, 12).join("\n\n");
    const { value } = await outline(4, plain);
    expect(value.chapters.map((chapter) => chapter.title.slice(0, 7))).toEqual(["Part 1:", "Part 2:", "Part 3:", "Part 4:"]);
    expect(value.chapters.map((chapter) => chapter.content).join("\n\n")).toBe(plain);
  });

  it("from a bare topic, gives a clearly generic outline that says it was made offline", async () => {
    const { value } = await offline().provider.generateJson(courseOutlinePrompt({ topic: "Linear algebra", level: "ADVANCED", numChapters: 5 }));
    expect(courseOutlineSchema.safeParse(value).success).toBe(true);
    expect(value.chapters).toHaveLength(5);
    expect(value.title).toBe("Linear algebra: an advanced course");
    expect(value.description).toMatch(/generic.*offline without an AI model/);
    expect(value.chapters[0].title).toBe("Introduction to Linear algebra");
    expect(value.chapters.at(-1)!.title).toBe("Review and summary");
    expect(value.chapters.every((chapter) => chapter.content.includes("without an AI model"))).toBe(true);
  });

  it("handles the largest course the API allows", async () => {
    const { value } = await offline().provider.generateJson(courseOutlinePrompt({ topic: "Chess", level: "INTERMEDIATE", numChapters: 20 }));
    expect(new Set(value.chapters.map((chapter) => chapter.title)).size).toBe(20);
  });

  it("refuses a document without text with BAD_USER_INPUT", async () => {
    const error = await outline(3, "  \n\n ").catch((e: unknown) => e);
    expect((error as GraphQLError).extensions.code).toBe("BAD_USER_INPUT");
  });
});

function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { collect, failure, freePort, GOOD_QUIZ, geminiAgainst, prompt, quiz } from "./providers";

/** The Gemini provider for real: the official SDK over HTTP against the scripted fake server. */

let fake: FakeGemini;
beforeAll(async () => {
  fake = await startFakeGemini();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("requests", () => {
  it("sends the configured model, the key, the system instruction and the prompt", async () => {
    const { provider } = geminiAgainst(fake, { model: "gemini-test-model" });
    await provider.generateText(prompt);
    const [request] = fake.requests;
    expect(request).toMatchObject({ task: "generateContent", model: "gemini-test-model", apiKey: fake.apiKey });
    expect(JSON.stringify(request.body.systemInstruction)).toContain("Answer only from the numbered passages");
    expect(JSON.stringify(request.body.contents)).toContain("Rubisco fixes carbon dioxide.");
  });

  it("asks for JSON held to the prompt's schema (responseMimeType + responseSchema)", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { json: GOOD_QUIZ });
    await provider.generateJson(quiz);
    expect(fake.requests[0].body.generationConfig).toMatchObject({
      responseMimeType: "application/json",
      responseSchema: {
        type: "object",
        required: ["questions"],
        properties: {
          questions: {
            type: "array",
            items: {
              type: "object",
              properties: { options: { type: "array", items: { type: "string" }, minItems: 4, maxItems: 4 }, correctIndex: { type: "integer" } },
            },
          },
        },
      },
    });
  });

  it("records token usage per call from usageMetadata", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    const answer = await provider.generateText(prompt, { userId: "u1" });
    expect(answer.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 6 });
    expect(answer.usage.inputTokens).toBeGreaterThan(10);
    expect(recorder.entries).toEqual([
      { provider: "gemini", model: "gemini-2.5-flash", purpose: "chat", outcome: "ok", userId: "u1", latencyMs: expect.any(Number), ...answer.usage },
    ]);
  });
});

describe("JSON answers", () => {
  it("repairs syntax slips locally without asking the model again", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { text: "```json\n" + JSON.stringify(GOOD_QUIZ).replace(/}]}$/, ",}]}") + "\n```" });
    const answer = await provider.generateJson(quiz);
    expect(answer).toMatchObject({ value: GOOD_QUIZ, repaired: true });
    expect(fake.requests).toHaveLength(1);
  });

  it("asks the model once to repair an answer that breaks the schema, showing it the problems", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    const broken = { questions: [{ ...GOOD_QUIZ.questions[0], options: ["Rubisco", "rubisco", "Glucose", "Water"], correctIndex: 4 }] };
    fake.enqueue("generateContent", { json: broken }, { json: GOOD_QUIZ });
    const answer = await provider.generateJson(quiz);
    expect(answer).toMatchObject({ value: GOOD_QUIZ, repaired: true });
    expect(fake.requests).toHaveLength(2);
    const repairRequest = JSON.stringify(fake.requests[1].body.contents);
    expect(repairRequest).toContain("options must be distinct");
    expect(repairRequest).toContain("correctIndex");
    expect(answer.usage.inputTokens).toBe(recorder.entries[0].inputTokens! + recorder.entries[1].inputTokens!);
  });

  it("gives up with AI_UNAVAILABLE when the repair is invalid too", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { text: "Sorry, I cannot." }, { text: "I really cannot." }, { json: GOOD_QUIZ });
    const error = await failure(provider.generateJson(quiz));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "INVALID_OUTPUT" });
    expect(fake.requests).toHaveLength(2);
  });

  it("treats a passage number outside the prompt's passages as invalid", async () => {
    const { provider } = geminiAgainst(fake);
    const wrongPassage = { questions: [{ ...GOOD_QUIZ.questions[0], passage: 7 }] };
    fake.enqueue("generateContent", { json: wrongPassage }, { json: wrongPassage });
    const error = await failure(provider.generateJson(quiz));
    expect(error.extensions.problems).toEqual(["passage must be a passage number from 1 to 2"]);
  });
});

describe("retries", () => {
  it("retries a 429, waiting at least as long as RetryInfo / Retry-After asks, then succeeds", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    fake.enqueue("generateContent", { error: 429, retryAfterSeconds: 0.3 });
    const started = Date.now();
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ text: "This is a fake Gemini answer." });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.requests).toHaveLength(2);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "ok" })]);
  });

  it("retries 500 and 503 with back-off, then succeeds", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { error: 500 }, { error: 503 });
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ provider: "gemini" });
    expect(fake.requests).toHaveLength(3);
  });

  it("gives up after the retry bound with AI_UNAVAILABLE and records the failure", async () => {
    const { provider, recorder } = geminiAgainst(fake, { retry: { maxRetries: 2 } });
    fake.setDefault("generateContent", { error: 500 });
    const error = await failure(provider.generateText(prompt, { userId: "u1" }));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "SERVER_ERROR", status: 500, attempts: 3 });
    expect(fake.requests).toHaveLength(3);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "error", errorCode: "AI_UNAVAILABLE", userId: "u1" })]);
  });

  it("does not wait for a Retry-After longer than the longest back-off; tells the caller when to come back", async () => {
    const { provider } = geminiAgainst(fake, { retry: { maxDelayMs: 1_000 } });
    fake.enqueue("generateContent", { error: 429, retryAfterSeconds: 30 });
    const started = Date.now();
    const error = await failure(provider.generateText(prompt));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "RATE_LIMITED", retryAfterSeconds: 30 });
    expect(fake.requests).toHaveLength(1);
  });

  it("does not retry a rejected request; an input over the model's limit is BAD_USER_INPUT", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { error: 403, message: "Permission denied" });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "REJECTED", status: 403 });
    fake.enqueue("generateContent", { error: 400, message: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576)." });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(fake.requests).toHaveLength(2);
  });

  it("retries a response whose body is not JSON", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { raw: "<html>Bad gateway</html>", status: 200 });
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ text: "This is a fake Gemini answer." });
    expect(fake.requests).toHaveLength(2);
  });

  it("reports a wrong API key as AI_UNAVAILABLE without retrying", async () => {
    const { provider } = geminiAgainst(fake, { apiKey: "wrong" });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", status: 400 });
    expect(fake.requests).toHaveLength(1);
  });

  it("retries network failures, then gives up with AI_UNAVAILABLE", async () => {
    const closedPort = await freePort();
    const { provider } = geminiAgainst(fake, { baseUrl: `http://127.0.0.1:${closedPort}`, retry: { maxRetries: 1 } });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "NETWORK", attempts: 2 });
  });
});

describe("timeouts and blocks", () => {
  it("aborts a request that hangs after the per-call timeout, retries, then fails with AI_UNAVAILABLE", async () => {
    const { provider } = geminiAgainst(fake, { retry: { timeoutMs: 150, maxRetries: 1 } });
    fake.setDefault("generateContent", { hang: true });
    const started = Date.now();
    const error = await failure(provider.generateText(prompt));
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "TIMEOUT", attempts: 2 });
    expect(await Promise.all(fake.requests.map((request) => request.ended))).toEqual(["aborted", "aborted"]);
  });

  it("turns a blocked prompt into a clear AI_UNAVAILABLE", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { blocked: "SAFETY" });
    const error = await failure(provider.generateText(prompt));
    expect(error.message).toBe("The AI service refused the request (blocked: SAFETY)");
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "BLOCKED", blockReason: "SAFETY" });
  });

  it("turns an answer stopped for safety into a clear AI_UNAVAILABLE", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { text: "Partial", finishReason: "SAFETY" });
    const error = await failure(provider.generateText(prompt));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "BLOCKED", finishReason: "SAFETY" });
  });

  it("turns empty candidates into a clear AI_UNAVAILABLE", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("generateContent", { empty: true });
    const error = await failure(provider.generateText(prompt));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "EMPTY" });
  });
});

describe("streaming", () => {
  it("yields deltas in order as they arrive", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { chunks: ["Chloro", "phyll ", "absorbs ", "red light."], delayMs: 40 });
    const arrivals: number[] = [];
    const deltas: string[] = [];
    const stream = provider.streamText(prompt);
    for await (const delta of stream) {
      deltas.push(delta);
      arrivals.push(Date.now());
    }
    expect(stream.usage).toEqual({ inputTokens: recorder.entries[0].inputTokens, outputTokens: 4 });
    expect(deltas).toEqual(["Chloro", "phyll ", "absorbs ", "red light."]);
    // Streamed, not buffered: the last delta came well after the first.
    expect(arrivals[3] - arrivals[0]).toBeGreaterThanOrEqual(80);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "ok", outputTokens: 4, inputTokens: expect.any(Number) })]);
  });

  it("aborts the HTTP request when the signal aborts mid-stream", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { chunks: ["a ", "b ", "c ", "d ", "e "], delayMs: 50 });
    const controller = new AbortController();
    const reasons = new Error("user pressed stop");
    reasons.name = "AbortError";
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const delta of provider.streamText(prompt, { signal: controller.signal })) {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort(reasons);
      }
    })();
    await expect(reading).rejects.toBe(reasons);
    expect(deltas).toEqual(["a ", "b "]);
    await expect(fake.requests[0].ended).resolves.toBe("aborted");
  });

  it("aborts the HTTP request when the consumer stops reading", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { chunks: ["a ", "b ", "c ", "d ", "e "], delayMs: 50 });
    for await (const delta of provider.streamText(prompt)) {
      if (delta === "b ") break;
    }
    await expect(fake.requests[0].ended).resolves.toBe("aborted");
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "cancelled" })]);
  });

  it("retries a 429 before the first delta, then streams", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { error: 429, retryAfterSeconds: 0.05 }, { chunks: ["ok ", "now"] });
    expect(await collect(provider.streamText(prompt))).toEqual(["ok ", "now"]);
    expect(fake.requests).toHaveLength(2);
  });

  it("fails with AI_UNAVAILABLE when the stream goes silent longer than the timeout", async () => {
    const { provider } = geminiAgainst(fake, { retry: { timeoutMs: 150 } });
    fake.enqueue("streamGenerateContent", { chunks: ["first ", "second ", "never"], stallAfter: 2 });
    const deltas: string[] = [];
    const started = Date.now();
    const error = await failure(
      (async () => {
        for await (const delta of provider.streamText(prompt)) deltas.push(delta);
      })(),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(deltas).toEqual(["first ", "second "]);
    expect(error.message).toBe("The AI service stopped in the middle of its answer");
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "TIMEOUT" });
    expect(fake.requests).toHaveLength(1);
    await expect(fake.requests[0].ended).resolves.toBe("aborted");
  });

  it("fails with AI_UNAVAILABLE when the connection drops mid-stream, after the deltas that arrived", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { chunks: ["one ", "two ", "three"], dropAfter: 2 });
    const deltas: string[] = [];
    const error = await failure(
      (async () => {
        for await (const delta of provider.streamText(prompt)) deltas.push(delta);
      })(),
    );
    expect(deltas).toEqual(["one ", "two "]);
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE" });
    expect(fake.requests).toHaveLength(1);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "error", errorCode: "AI_UNAVAILABLE" })]);
  });

  it("fails with AI_UNAVAILABLE when the answer is blocked mid-stream", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { chunks: ["Some ", "text"], finishReason: "SAFETY" });
    const error = await failure(collect(provider.streamText(prompt)));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "BLOCKED", finishReason: "SAFETY" });
  });

  it("fails with AI_UNAVAILABLE on a blocked prompt or an empty stream", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("streamGenerateContent", { blocked: "SAFETY" }, { empty: true });
    expect((await failure(collect(provider.streamText(prompt)))).extensions).toMatchObject({ reason: "BLOCKED" });
    expect((await failure(collect(provider.streamText(prompt)))).extensions).toMatchObject({ reason: "EMPTY" });
  });
});

describe("embeddings", () => {
  it("embeds documents in batches of 100 with the retrieval task type and the configured size", async () => {
    const { provider } = geminiAgainst(fake, { dimensions: 256 });
    const texts = Array.from({ length: 250 }, (_, i) => `passage number ${i}`);
    const vectors = await provider.embed(texts, "document");
    expect(vectors).toHaveLength(250);
    expect(fake.requests.map((r) => [r.task, (r.body.requests as unknown[]).length])).toEqual([
      ["batchEmbedContents", 100],
      ["batchEmbedContents", 100],
      ["batchEmbedContents", 50],
    ]);
    expect(fake.requests[0].body.requests).toContainEqual(
      expect.objectContaining({ model: "models/gemini-embedding-001", taskType: "RETRIEVAL_DOCUMENT", outputDimensionality: 256 }),
    );
    expect(vectors.every((v) => v.length === 256)).toBe(true);
    expect(provider.embeddingModelId).toBe("gemini/gemini-embedding-001/256");
  });

  it("embeds a single query with embedContent and the query task type", async () => {
    const { provider } = geminiAgainst(fake);
    await provider.embed(["what absorbs light?"], "query");
    expect(fake.requests).toEqual([expect.objectContaining({ task: "embedContent", body: expect.objectContaining({ taskType: "RETRIEVAL_QUERY" }) })]);
  });

  it("scales vectors to unit length (Gemini normalizes only full-size ones)", async () => {
    const { provider } = geminiAgainst(fake, { dimensions: 128 });
    fake.enqueue("embedContent", { vectors: [Array.from({ length: 128 }, () => 3)] });
    const [vector] = await provider.embed(["x"], "query");
    expect(Math.hypot(...vector)).toBeCloseTo(1, 9);
  });

  it("refuses vectors of another size than configured", async () => {
    const { provider } = geminiAgainst(fake, { dimensions: 128 });
    fake.enqueue("embedContent", { vectors: [[0.1, 0.2]] });
    expect((await failure(provider.embed(["x"], "query"))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "INVALID_OUTPUT" });
  });

  it("retries a failed batch", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("batchEmbedContents", { error: 503 });
    await expect(provider.embed(["a", "b"], "document")).resolves.toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });
});

describe("health check", () => {
  it("counts tokens (free) to prove the key, model and network", async () => {
    const { provider, recorder } = geminiAgainst(fake);
    await expect(provider.check()).resolves.toMatchObject({ status: "healthy", provider: "gemini", model: "gemini-2.5-flash" });
    expect(fake.requests.map((r) => r.task)).toEqual(["countTokens"]);
    expect(recorder.entries).toEqual([]);
  });

  it("is unhealthy, without retrying, when Gemini fails", async () => {
    const { provider } = geminiAgainst(fake);
    fake.enqueue("countTokens", { error: 503 });
    await expect(provider.check()).resolves.toMatchObject({ status: "unhealthy", error: "The AI service failed (HTTP 503)" });
    expect(fake.requests).toHaveLength(1);
  });
});

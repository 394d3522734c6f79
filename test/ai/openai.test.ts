import { startFakeOpenAi, type FakeOpenAi } from "../helpers/fake-openai";
import { collect, failure, freePort, GOOD_QUIZ, openAiAgainst, prompt, quiz } from "./providers";

/** The OpenAI-compatible provider for real: the official `openai` SDK over HTTP against the scripted fake server. */

let fake: FakeOpenAi;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("requests", () => {
  it("sends the configured model, the system and user messages, and no key unless one is set", async () => {
    const { provider } = openAiAgainst(fake, { model: "qwen2.5:7b" });
    await provider.generateText(prompt);
    const [request] = fake.requests;
    expect(request).toMatchObject({ task: "chat", path: "/v1/chat/completions", body: expect.objectContaining({ model: "qwen2.5:7b" }) });
    expect(request.authorization).toBeUndefined();
    const messages = request.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(messages[0].content).toContain("Answer only from the numbered passages");
    expect(messages[1].content).toContain("Rubisco fixes carbon dioxide.");
  });

  it("sends the API key as a bearer token, and a wrong one is AI_UNAVAILABLE without retrying", async () => {
    const guarded = await startFakeOpenAi({ apiKey: "sk-local" });
    try {
      const { provider } = openAiAgainst(guarded, { apiKey: "sk-local" });
      await expect(provider.generateText(prompt)).resolves.toMatchObject({ provider: "openai" });
      expect(guarded.requests[0].authorization).toBe("Bearer sk-local");
      const wrong = openAiAgainst(guarded, { apiKey: "sk-wrong" });
      expect((await failure(wrong.provider.generateText(prompt))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "REJECTED", status: 401 });
      expect(guarded.requests).toHaveLength(2);
    } finally {
      await guarded.stop();
    }
  });

  it("records token usage per call from the answer's usage", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    const answer = await provider.generateText(prompt, { userId: "u1" });
    expect(answer.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 7 });
    expect(answer.usage.inputTokens).toBeGreaterThan(10);
    expect(recorder.entries).toEqual([
      { provider: "openai", model: "llama3.2", purpose: "chat", outcome: "ok", userId: "u1", latencyMs: expect.any(Number), ...answer.usage },
    ]);
  });
});

describe("JSON answers", () => {
  it("asks for JSON held to the prompt's schema (response_format json_schema)", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { json: GOOD_QUIZ });
    await expect(provider.generateJson(quiz)).resolves.toMatchObject({ value: GOOD_QUIZ, repaired: false });
    expect(fake.requests[0].body.response_format).toMatchObject({
      type: "json_schema",
      json_schema: {
        name: "quiz",
        schema: {
          type: "object",
          required: ["questions"],
          properties: { questions: { type: "array", items: { type: "object", properties: { options: { type: "array", minItems: 4, maxItems: 4 } } } } },
        },
      },
    });
  });

  it("falls back to JSON mode, then to plain instructions, on a server that refuses the richer format, and remembers it", async () => {
    const { provider } = openAiAgainst(fake);
    fake.acceptFormats(["json_object"]);
    fake.enqueue("chat", { json: GOOD_QUIZ }, { json: GOOD_QUIZ });
    await expect(provider.generateJson(quiz)).resolves.toMatchObject({ value: GOOD_QUIZ });
    await expect(provider.generateJson(quiz)).resolves.toMatchObject({ value: GOOD_QUIZ });
    expect(fake.requests.map((r) => (r.body.response_format as { type: string }).type)).toEqual(["json_schema", "json_object", "json_object"]);
    // Without the schema in the request, it goes into the instructions.
    expect((fake.requests[1].body.messages as { content: string }[])[0].content).toContain('"correctIndex"');

    const older = openAiAgainst(fake);
    fake.reset();
    fake.acceptFormats([]);
    fake.enqueue("chat", { json: GOOD_QUIZ });
    await expect(older.provider.generateJson(quiz)).resolves.toMatchObject({ value: GOOD_QUIZ });
    expect(fake.requests.map((r) => (r.body.response_format as { type: string } | undefined)?.type)).toEqual(["json_schema", "json_object", undefined]);
  });

  it("repairs syntax slips locally without asking the model again", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { text: "```json\n" + JSON.stringify(GOOD_QUIZ).replace(/}]}$/, ",}]}") + "\n```" });
    await expect(provider.generateJson(quiz)).resolves.toMatchObject({ value: GOOD_QUIZ, repaired: true });
    expect(fake.requests).toHaveLength(1);
  });

  it("asks the model once to repair malformed or off-schema JSON, showing it the problems", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    fake.enqueue("chat", { text: "Sure! Here it is: {questions: [oops" }, { json: GOOD_QUIZ });
    const answer = await provider.generateJson(quiz);
    expect(answer).toMatchObject({ value: GOOD_QUIZ, repaired: true });
    expect(fake.requests).toHaveLength(2);
    expect(JSON.stringify(fake.requests[1].body.messages)).toContain("Your previous answer was not valid");
    expect(answer.usage.inputTokens).toBe(recorder.entries[0].inputTokens! + recorder.entries[1].inputTokens!);
  });

  it("gives up with AI_UNAVAILABLE when the repair is invalid too", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { text: "Sorry, I cannot." }, { text: "I really cannot." }, { json: GOOD_QUIZ });
    expect((await failure(provider.generateJson(quiz))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "INVALID_OUTPUT", provider: "openai" });
    expect(fake.requests).toHaveLength(2);
  });
});

describe("retries", () => {
  it("retries a 429, waiting at least as long as Retry-After asks, then succeeds", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    fake.enqueue("chat", { error: 429, retryAfterSeconds: 0.3 });
    const started = Date.now();
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ text: "This is a fake local model answer." });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(fake.requests).toHaveLength(2);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "ok" })]);
  });

  it("does not wait for a Retry-After longer than the longest back-off; tells the caller when to come back", async () => {
    const { provider } = openAiAgainst(fake, { retry: { maxDelayMs: 1_000 } });
    fake.enqueue("chat", { error: 429, retryAfterSeconds: 30 });
    const started = Date.now();
    const error = await failure(provider.generateText(prompt));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "RATE_LIMITED", retryAfterSeconds: 30 });
    expect(fake.requests).toHaveLength(1);
  });

  it("retries 500 and 503 with back-off, then succeeds", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { error: 500 }, { error: 503 });
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ provider: "openai" });
    expect(fake.requests).toHaveLength(3);
  });

  it("gives up after the retry bound with AI_UNAVAILABLE and records the failure", async () => {
    const { provider, recorder } = openAiAgainst(fake, { retry: { maxRetries: 2 } });
    fake.setDefault("chat", { error: 500 });
    const error = await failure(provider.generateText(prompt, { userId: "u1" }));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "SERVER_ERROR", status: 500, attempts: 3 });
    expect(fake.requests).toHaveLength(3);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "error", errorCode: "AI_UNAVAILABLE", userId: "u1" })]);
  });

  it("says which setting to check when the server does not have the model; an input over the context is BAD_USER_INPUT", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { error: 404, message: 'model "llama3.2" not found, try pulling it first' });
    expect((await failure(provider.generateText(prompt))).message).toMatch(/OPENAI_MODEL/);
    fake.enqueue("chat", { error: 400, message: "the request exceeds the available context size, try increasing it" });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ code: "BAD_USER_INPUT" });
    expect(fake.requests).toHaveLength(2);
  });

  it("retries a response whose body is not JSON or not a completion", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { raw: '{"choices": [' }, { raw: "<html>Bad gateway</html>", contentType: "text/html" });
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ text: "This is a fake local model answer." });
    expect(fake.requests).toHaveLength(3);
  });

  it("aborts a request that hangs after the per-call timeout, retries, then fails with AI_UNAVAILABLE", async () => {
    const { provider } = openAiAgainst(fake, { retry: { timeoutMs: 150, maxRetries: 1 } });
    fake.setDefault("chat", { hang: true });
    const error = await failure(provider.generateText(prompt));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "TIMEOUT", attempts: 2 });
    expect(await Promise.all(fake.requests.map((request) => request.ended))).toEqual(["aborted", "aborted"]);
  });

  it("retries network failures, then gives up with AI_UNAVAILABLE", async () => {
    const { provider } = openAiAgainst(fake, { baseUrl: `http://127.0.0.1:${await freePort()}/v1`, retry: { maxRetries: 1 } });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "NETWORK", attempts: 2 });
  });

  it("turns an answer withheld by a content filter into a clear AI_UNAVAILABLE, and an empty one too", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { text: "Partial", finishReason: "content_filter" }, { text: "  " });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ reason: "BLOCKED", finishReason: "content_filter" });
    expect((await failure(provider.generateText(prompt))).extensions).toMatchObject({ reason: "EMPTY" });
  });
});

describe("streaming", () => {
  it("yields deltas in order as they arrive, with the usage of the last event", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["Chloro", "phyll ", "absorbs ", "red light."], delayMs: 40 });
    const arrivals: number[] = [];
    const deltas: string[] = [];
    const stream = provider.streamText(prompt);
    for await (const delta of stream) {
      deltas.push(delta);
      arrivals.push(Date.now());
    }
    expect(deltas).toEqual(["Chloro", "phyll ", "absorbs ", "red light."]);
    expect(arrivals[3] - arrivals[0]).toBeGreaterThanOrEqual(80);
    expect(fake.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(stream.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 4 });
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "ok", outputTokens: 4 })]);
  });

  it("aborts the HTTP request when the signal aborts mid-stream, rejecting with its reason", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["a ", "b ", "c ", "d ", "e "], delayMs: 50 });
    const controller = new AbortController();
    const reason = new Error("user pressed stop");
    reason.name = "AbortError";
    const deltas: string[] = [];
    const reading = (async () => {
      for await (const delta of provider.streamText(prompt, { signal: controller.signal })) {
        deltas.push(delta);
        if (deltas.length === 2) controller.abort(reason);
      }
    })();
    await expect(reading).rejects.toBe(reason);
    expect(deltas).toEqual(["a ", "b "]);
    await expect(fake.requests[0].ended).resolves.toBe("aborted");
  });

  it("aborts the HTTP request when the consumer stops reading", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["a ", "b ", "c ", "d ", "e "], delayMs: 50 });
    for await (const delta of provider.streamText(prompt)) {
      if (delta === "b ") break;
    }
    await expect(fake.requests[0].ended).resolves.toBe("aborted");
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "cancelled" })]);
  });

  it("retries a 429 and a 500 before the first delta, then streams", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("stream", { error: 429, retryAfterSeconds: 0.05 }, { error: 500 }, { chunks: ["ok ", "now"] });
    expect(await collect(provider.streamText(prompt))).toEqual(["ok ", "now"]);
    expect(fake.requests).toHaveLength(3);
  });

  it("fails with AI_UNAVAILABLE when the connection is cut mid-answer, after the deltas that arrived", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["one ", "two ", "three"], dropAfter: 2 });
    const deltas: string[] = [];
    const error = await failure(
      (async () => {
        for await (const delta of provider.streamText(prompt)) deltas.push(delta);
      })(),
    );
    expect(deltas).toEqual(["one ", "two "]);
    expect(error.message).toBe("The AI service stopped in the middle of its answer");
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE" });
    expect(fake.requests).toHaveLength(1);
    expect(recorder.entries).toEqual([expect.objectContaining({ outcome: "error", errorCode: "AI_UNAVAILABLE" })]);
  });

  it("fails with AI_UNAVAILABLE when the stream ends without finishing, or sends an event that is not JSON", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["one ", "two ", "three"], endAfter: 2 }, { chunks: ["one ", "two"], garbleAfter: 1 });
    expect((await failure(collect(provider.streamText(prompt)))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "INCOMPLETE" });
    const garbled = await failure(collect(provider.streamText(prompt)));
    expect(garbled.message).toBe("The AI service stopped in the middle of its answer");
    expect(garbled.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "BAD_RESPONSE" });
  });

  it("fails with AI_UNAVAILABLE when the stream goes silent longer than the timeout", async () => {
    const { provider } = openAiAgainst(fake, { retry: { timeoutMs: 150 } });
    fake.enqueue("stream", { chunks: ["first ", "second ", "never"], stallAfter: 2 });
    const deltas: string[] = [];
    const error = await failure(
      (async () => {
        for await (const delta of provider.streamText(prompt)) deltas.push(delta);
      })(),
    );
    expect(deltas).toEqual(["first ", "second "]);
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "TIMEOUT" });
    await expect(fake.requests[0].ended).resolves.toBe("aborted");
  });
});

describe("reasoning models that think aloud in <think> (DeepSeek-R1, QwQ, Qwen3)", () => {
  it("streams the answer without the opening thinking, even when its tags are split across deltas", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["  <thi", "nk>The user asks about chlorophyll. <", "/think", ">\n\n", "Chlorophyll ", "absorbs red light."] });
    expect((await collect(provider.streamText(prompt))).join("")).toBe("Chlorophyll absorbs red light.");
  });

  it("keeps a <think> that is not where the answer begins, and a short answer that only looked like one", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["Write ", "<think> in the prompt."] });
    expect((await collect(provider.streamText(prompt))).join("")).toBe("Write <think> in the prompt.");
    fake.enqueue("stream", { chunks: ["<th"] });
    expect((await collect(provider.streamText(prompt))).join("")).toBe("<th");
  });

  it("fails as an empty answer when the model never stops thinking", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("stream", { chunks: ["<think>", "Still thinking about it"] });
    const error = await failure(collect(provider.streamText(prompt)));
    expect(error.extensions).toMatchObject({ code: "AI_UNAVAILABLE" });
  });

  it("reads text and JSON answers after the thinking", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("chat", { text: "<think>\nThe passages say red and blue.\n</think>\n\nRed and blue light." });
    await expect(provider.generateText(prompt)).resolves.toMatchObject({ text: "Red and blue light." });
    fake.enqueue("chat", { text: `<think>One question, from passage 2 {"not": "this"}.</think>\n${JSON.stringify(GOOD_QUIZ)}` });
    await expect(provider.generateJson(quiz)).resolves.toMatchObject({ value: GOOD_QUIZ, repaired: false });
  });
});

describe("embeddings", () => {
  it("embeds in batches of 64 as floats, in input order, learning the vector size from the answer", async () => {
    const small = await startFakeOpenAi({ dimensions: 384 });
    try {
      const { provider, recorder } = openAiAgainst(small);
      const texts = Array.from({ length: 150 }, (_, i) => `passage number ${i}`);
      const vectors = await provider.embed(texts, "document");
      expect(small.requests.map((r) => [r.path, (r.body.input as string[]).length, r.body.encoding_format])).toEqual([
        ["/v1/embeddings", 64, "float"],
        ["/v1/embeddings", 64, "float"],
        ["/v1/embeddings", 22, "float"],
      ]);
      expect(vectors.every((v) => v.length === 384)).toBe(true);
      // The fake answers in reverse order; the index puts each vector back with its text.
      expect(vectors[1]).toEqual((await provider.embed(["passage number 1"], "query"))[0]);
      await expect(provider.embeddingDimensions()).resolves.toBe(384);
      expect(small.requests).toHaveLength(4);
      expect(provider.embeddingModelId).toBe("openai/nomic-embed-text");
      expect(recorder.entries[0]).toMatchObject({ purpose: "embedding", model: "nomic-embed-text", inputTokens: 450 });
    } finally {
      await small.stop();
    }
  });

  it("asks once for the vector size when nothing was embedded yet", async () => {
    const { provider } = openAiAgainst(fake);
    await expect(provider.embeddingDimensions()).resolves.toBe(768);
    await expect(provider.embeddingDimensions()).resolves.toBe(768);
    expect(fake.requests.map((r) => r.task)).toEqual(["embeddings"]);
  });

  it("scales vectors to unit length and refuses a vector of another size than the model's", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("embeddings", { vectors: [[3, 4, 0]] }, { vectors: [[1, 2]] });
    expect((await provider.embed(["x"], "query"))[0]).toEqual([0.6, 0.8, 0]);
    expect((await failure(provider.embed(["y"], "query"))).extensions).toMatchObject({ code: "AI_UNAVAILABLE", reason: "INVALID_OUTPUT" });
  });

  it("sends embeddings to their own server when one is configured (llama.cpp serves one model per process)", async () => {
    const embedder = await startFakeOpenAi();
    try {
      const { provider } = openAiAgainst(fake, { embeddingBaseUrl: embedder.baseUrl });
      await provider.embed(["a"], "query");
      await provider.generateText(prompt);
      expect(embedder.requests.map((r) => r.task)).toEqual(["embeddings"]);
      expect(fake.requests.map((r) => r.task)).toEqual(["chat"]);
    } finally {
      await embedder.stop();
    }
  });

  it("retries a failed batch", async () => {
    const { provider } = openAiAgainst(fake);
    fake.enqueue("embeddings", { error: 503 });
    await expect(provider.embed(["a", "b"], "document")).resolves.toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });
});

describe("health check", () => {
  it("lists the served models (no tokens spent) and finds both, Ollama's `:latest` included", async () => {
    const { provider, recorder } = openAiAgainst(fake);
    await expect(provider.check()).resolves.toEqual({ status: "healthy", provider: "openai", model: "llama3.2", latencyMs: expect.any(Number) });
    expect(fake.requests.map((r) => [r.method, r.path])).toEqual([["GET", "/v1/models"]]);
    expect(recorder.entries).toEqual([]);
  });

  it("is unhealthy when a model is not served, or, without retrying, when the server fails", async () => {
    const { provider } = openAiAgainst(fake, { embeddingModel: "bge-m3" });
    await expect(provider.check()).resolves.toMatchObject({
      status: "unhealthy",
      error: "The AI service does not serve bge-m3 (it lists llama3.2:latest, nomic-embed-text:latest)",
    });
    fake.enqueue("models", { error: 503 });
    await expect(provider.check()).resolves.toMatchObject({ status: "unhealthy", error: "The AI service failed (HTTP 503)" });
    expect(fake.requests).toHaveLength(2);
  });
});

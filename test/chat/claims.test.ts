import type { Client } from "graphql-ws";
import { AdminStatsDocument, ChatMessageChecksDocument, OnChatMessageChecksDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { subscribe } from "../helpers/ws";
import { wsClient } from "../helpers/ws";
import { GROUNDING_STRONG, GROUNDING_WEAK } from "../../src/modules/chat/chat.retrieval";
import { makePdf } from "../uploads/fixtures";
import { uploadedAndSettled } from "../uploads/support";
import { ask, createSession, finished } from "./support";

/**
 * Claims checked against their citations, and grounding, over the real server: the offline
 * provider for what the server decides alone, the fake Gemini server for the model's check.
 */
const STRICT_REFUSAL = "I don't have that information in the provided context.";

async function checks(world: CourseWorld, token: string, sessionId: string, messageId: string) {
  await finished(world.gql, token, sessionId, messageId);
  const session = ok(await world.gql(ChatMessageChecksDocument, { id: sessionId }, { token })).chatSession;
  return session!.messages.items[0];
}

async function streamEvents(world: CourseWorld, token: string, messageId: string) {
  const client: Client = wsClient(world.server.wsUrl, { authorization: `Bearer ${token}` });
  try {
    const events = [];
    for await (const result of subscribe(client, OnChatMessageChecksDocument, { messageId })) {
      const event = result.data!.chatMessageStream;
      events.push(event);
      if (event.done) break;
    }
    return events;
  } finally {
    await client.dispose();
  }
}

describe("offline", () => {
  let world: CourseWorld;
  let owner: Session;
  let uploadId: string;

  beforeAll(async () => {
    world = await startCourseWorld();
    owner = await world.user();
    uploadId = (await uploadedAndSettled(world, owner.accessToken, "biology.pdf", await makePdf())).id;
  });
  afterAll(() => world.server.stop());

  test("an answer the material covers is STRONG, every quoted claim supported, each quote the passage's sentence the claim uses", async () => {
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "What do mitochondria produce through cellular respiration?");
    const answer = await checks(world, owner.accessToken, sessionId, turn.assistantMessage.id);

    expect(answer.grounding).toBe("STRONG");
    expect(answer.groundingScore).toBe(1);
    expect(answer.claims.length).toBeGreaterThan(0);
    for (const claim of answer.claims) {
      expect(claim.supported).toBe(true);
      expect(claim.citations).toHaveLength(1);
      // The quote is the very sentence the claim repeats, not the passage's first sentence.
      expect(claim.text).toContain(claim.citations[0].quote);
    }
    expect(answer.claims.some((claim) => claim.citations[0].quote === "They produce ATP through cellular respiration using oxygen.")).toBe(true);
  });

  test("STRICT refuses a question the material barely covers, without asking the model, and says the grounding was WEAK", async () => {
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
    // The material speaks of mitochondria (they produce ATP) and of glucose (plants store light as it), never of both at once.
    const turn = await ask(world.gql, owner.accessToken, sessionId, "Do mitochondria produce glucose?");
    const events = await streamEvents(world, owner.accessToken, turn.assistantMessage.id);
    const answer = await checks(world, owner.accessToken, sessionId, turn.assistantMessage.id);

    expect(answer).toMatchObject({ content: STRICT_REFUSAL, grounding: "WEAK", provider: null, claims: [] });
    // Two of its three content words (mitochondria, produce) in the best passage, and no rarer words than these: short of STRONG.
    expect(answer.groundingScore).toBeGreaterThanOrEqual(GROUNDING_WEAK);
    expect(answer.groundingScore).toBeLessThan(GROUNDING_STRONG);
    expect(events.at(-1)).toMatchObject({ done: true, grounding: "WEAK" });
  });

  test("HYBRID says out loud that the material barely covers the question", async () => {
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "HYBRID", uploadIds: [uploadId] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "Do mitochondria produce glucose?");
    const answer = await checks(world, owner.accessToken, sessionId, turn.assistantMessage.id);
    expect(answer.grounding).toBe("WEAK");
    expect(answer.content).toMatch(/^Your material barely covers this question/);
  });
});

describe("with a model", () => {
  let gemini: FakeGemini;
  let world: CourseWorld;
  let owner: Session;
  let uploadId: string;
  const invented = "Mitochondria were first seen on Mars in 2050 [1].";
  const answer = `Mitochondria produce ATP through cellular respiration [1]. ${invented}`;
  const verification = () => gemini.requests.filter((request) => request.task === "generateContent");

  beforeAll(async () => {
    gemini = await startFakeGemini();
    world = await startCourseWorld({ ...gemini.env(), CHAT_STREAM_FLUSH_MS: "5" });
    owner = await world.user();
    uploadId = (await uploadedAndSettled(world, owner.accessToken, "biology.pdf", await makePdf())).id;
  });
  beforeEach(() => gemini.reset());
  afterAll(async () => {
    await world.server.stop();
    await gemini.stop();
  });

  test("the model checks each claim in a second JSON call, counted in AI usage; an invented claim is stored supported: false", async () => {
    gemini.enqueue("streamGenerateContent", { text: answer });
    gemini.enqueue("generateContent", { json: { verdicts: [{ claim: 1, supported: true }, { claim: 2, supported: false }] } });
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "HYBRID", uploadIds: [uploadId] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "What do mitochondria produce through cellular respiration?");
    const events = await streamEvents(world, owner.accessToken, turn.assistantMessage.id);
    const stored = await checks(world, owner.accessToken, sessionId, turn.assistantMessage.id);

    expect(stored.content).toBe(answer);
    expect(stored.claims.map((claim) => [claim.text, claim.supported])).toEqual([
      ["Mitochondria produce ATP through cellular respiration [1].", true],
      [invented, false],
    ]);
    expect(events.at(-1)).toMatchObject({ done: true, replacement: null, claims: [{ supported: true }, { supported: false }] });
    // The check saw each claim, without its mark, with the passage it cites.
    const [request] = verification();
    const prompt = JSON.stringify(request.body);
    expect(prompt).toContain("Mitochondria were first seen on Mars in 2050");
    expect(prompt).toContain("They produce ATP through cellular respiration using oxygen.");
    const stats = ok(await world.gql(AdminStatsDocument, {}, { token: world.admin.accessToken })).adminStats;
    expect(stats.aiUsage.find((row) => row.provider === "gemini" && row.purpose === "chat")?.calls).toBe(2);
  });

  test("STRICT replaces an answer whose claims are mostly unsupported by the refusal, and the final event says so", async () => {
    gemini.enqueue("streamGenerateContent", { text: answer });
    gemini.enqueue("generateContent", { json: { verdicts: [{ claim: 1, supported: false }, { claim: 2, supported: false }] } });
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "STRICT", uploadIds: [uploadId] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "What do mitochondria produce through cellular respiration?");
    const events = await streamEvents(world, owner.accessToken, turn.assistantMessage.id);
    const stored = await checks(world, owner.accessToken, sessionId, turn.assistantMessage.id);

    expect(stored).toMatchObject({ content: STRICT_REFUSAL, claims: [], provider: "gemini" });
    expect(events.at(-1)).toMatchObject({ done: true, status: "COMPLETE", replacement: STRICT_REFUSAL, claims: [] });
  });

  test("when the check call fails, the overlap check decides: the invented claim is still unsupported", async () => {
    gemini.enqueue("streamGenerateContent", { text: answer });
    gemini.enqueue("generateContent", { error: 500 }, { error: 500 }, { error: 500 }, { error: 500 });
    const sessionId = await createSession(world.gql, owner.accessToken, { mode: "HYBRID", uploadIds: [uploadId] });
    const turn = await ask(world.gql, owner.accessToken, sessionId, "What do mitochondria produce through cellular respiration?");
    const stored = await checks(world, owner.accessToken, sessionId, turn.assistantMessage.id);
    expect(stored.claims.map((claim) => claim.supported)).toEqual([true, false]);
  });
});

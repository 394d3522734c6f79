import { DecksDocument, GenerateFlashcardsDocument } from "../generated/graphql";
import { startFakeGemini, type FakeGemini } from "../helpers/fake-gemini";
import { errorCode, ok, publicCourseWithChapter, startCourseWorld, type CourseWorld } from "./support";

const calvin = { kind: "BASIC", front: "Where does the Calvin cycle fix carbon dioxide?", back: "Inside the stroma", explanation: "The Calvin cycle then fixes carbon dioxide into sugars inside the stroma.", passage: 2 };
const stomata = { kind: "CLOZE", text: "{{c1::Stomata}} are tiny pores on the underside of leaves.", passage: 3, tags: ["Leaves"] };
const unsupported = { kind: "BASIC", front: "Who discovered photosynthesis?", back: "Jan Ingenhousz in 1779", passage: 1 };
const noDeletion = { kind: "CLOZE", text: "Guard cells open and close the stomata.", passage: 3 };
const emptyBack = { kind: "BASIC", front: "What do chloroplasts hold?", back: " ", passage: 1 };
const noPassage = { kind: "BASIC", front: "What do leaves release?", back: "Oxygen", passage: 9 };
const repeated = { ...calvin, front: "Where does the Calvin cycle fix carbon dioxide ?" };

describe("generateFlashcards through Gemini", () => {
  let fake: FakeGemini;
  let world: CourseWorld;
  let chapterId: string;

  beforeAll(async () => {
    fake = await startFakeGemini();
    world = await startCourseWorld({ ...fake.env(), AI_QUOTA_REQUESTS: "2", AI_QUOTA_WINDOW: "3600" });
    chapterId = (await publicCourseWithChapter(world)).chapter.id;
  }, 60_000);
  beforeEach(() => fake.reset());
  afterAll(async () => {
    await world?.server.stop();
    await fake?.stop();
  });

  it("asks for JSON by schema, keeps the cards that pass every check and reports the rest", async () => {
    const learner = await world.user();
    fake.enqueue("generateContent", { json: { cards: [calvin, unsupported, stomata, noDeletion, emptyBack, noPassage, repeated] } });
    const generated = ok(await world.gql(GenerateFlashcardsDocument, { input: { chapterId, count: 6 } }, { token: learner.accessToken })).generateFlashcards;

    const request = fake.requests.find((item) => item.task === "generateContent")!;
    const config = request.body.generationConfig as { responseMimeType?: string; responseSchema?: unknown };
    expect(config.responseMimeType).toBe("application/json");
    expect(JSON.stringify(config.responseSchema)).toContain("cards");

    expect(generated.cards.map((card) => [card.kind, card.front, card.back])).toEqual([
      ["BASIC", calvin.front, calvin.back],
      ["CLOZE", stomata.text, ""],
    ]);
    expect(generated.cards[0].source).toMatchObject({ type: "CHAPTER", chapterId, passageIndex: 1 });
    expect(generated.cards[0].source.excerpt).toContain("Calvin cycle");
    expect(generated.cards[1]).toMatchObject({ clozeNumbers: [1], tags: ["leaves"] });
    const problems = Object.fromEntries(generated.report.dropped.map((card) => [card.front, card.problems.join("; ")]));
    expect(generated.report).toMatchObject({ requested: 6, kept: 2, provider: "gemini" });
    expect(problems).toEqual({
      [unsupported.front]: "its answer is not supported by the cited passage",
      [noDeletion.text]: "a cloze card without a {{c1::…}} deletion",
      [emptyBack.front]: "empty back",
      [noPassage.front]: "cites no passage of the material",
      [repeated.front]: "repeats another card of this answer",
    });
  });

  it("fails with AI_UNAVAILABLE and stores nothing when no card passes, and counts against the AI quota", async () => {
    const learner = await world.user();
    fake.enqueue("generateContent", { json: { cards: [unsupported, noDeletion] } });
    const failed = await world.gql(GenerateFlashcardsDocument, { input: { chapterId, count: 2 } }, { token: learner.accessToken });
    expect(errorCode(failed)).toBe("AI_UNAVAILABLE");
    expect(ok(await world.gql(DecksDocument, {}, { token: learner.accessToken })).decks.total).toBe(0);

    fake.enqueue("generateContent", { json: { cards: [calvin] } });
    ok(await world.gql(GenerateFlashcardsDocument, { input: { chapterId, count: 1 } }, { token: learner.accessToken }));
    const third = await world.gql(GenerateFlashcardsDocument, { input: { chapterId, count: 1 } }, { token: learner.accessToken });
    expect(errorCode(third)).toBe("RATE_LIMITED");
    expect(fake.requests.filter((item) => item.task === "generateContent")).toHaveLength(2);
  });
});

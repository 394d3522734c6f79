import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CardsDocument, CreateCardDocument, DeckDocument, ImportCardsDocument, ReviewCardDocument } from "../generated/graphql";
import { uploadRequest } from "../helpers/upload";
import { createCard, createDeck, errorCode, failedFields, ok, startCourseWorld, type CourseWorld } from "./support";

let world: CourseWorld;
let dir: string;
beforeAll(async () => {
  world = await startCourseWorld();
  dir = mkdtempSync(join(tmpdir(), "study-export-"));
}, 60_000);
afterAll(async () => {
  await world?.server.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function exported(deckId: string, format: string, token?: string): Promise<Response> {
  return fetch(`${world.server.url}/api/v1/decks/${deckId}/export?format=${format}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

function importCsv(token: string, deckId: string, csv: string | Buffer) {
  return uploadRequest(world.server.graphqlUrl, ImportCardsDocument, { deckId, file: null }, [{ variablePath: "variables.file", filename: "cards.csv", contentType: "text/csv", content: csv }], {
    token,
  });
}

const CARDS = [
  { front: "What is the powerhouse of the cell?", back: "The mitochondrion", explanation: "It makes ATP.", tags: ["biology", "cells"] },
  { front: "2 < 3 & 3 > 2, \"quoted\", and a comma?", back: "Line one\nline two", tags: [] },
  { kind: "CLOZE" as const, front: "{{c1::Paris}} is the capital of {{c2::France}}.", back: "Since 987", tags: ["geo"] },
];

it("exports a real Anki package that Anki's format readers open, with every card's text", async () => {
  const learner = await world.user();
  const deck = await createDeck(world, learner.accessToken, "Export me");
  for (const card of CARDS) await createCard(world, learner.accessToken, deck.id, card);

  const response = await exported(deck.id, "apkg", learner.accessToken);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-disposition")).toContain("Export-me.apkg");
  const path = join(dir, "deck.apkg");
  writeFileSync(path, Buffer.from(await response.arrayBuffer()));
  const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, "read-apkg.mjs"), path]);
  const decks = JSON.parse(stdout) as { name: string; cards: { model: string; ord: number; fields: Record<string, string> }[] }[];
  const ours = decks.find((item) => item.name === "Export me")!;
  expect(ours.cards).toHaveLength(4); // the cloze note is two Anki cards
  const basic = ours.cards.filter((card) => card.model === "AI Learning Basic").map((card) => card.fields);
  expect(basic).toEqual(
    expect.arrayContaining([
      { Front: "What is the powerhouse of the cell?", Back: "The mitochondrion", Explanation: "It makes ATP.", Source: "" },
      { Front: "2 &lt; 3 &amp; 3 &gt; 2, \"quoted\", and a comma?", Back: "Line one<br>line two", Explanation: "", Source: "" },
    ]),
  );
  const cloze = ours.cards.filter((card) => card.model === "AI Learning Cloze");
  expect(cloze.map((card) => card.ord).sort()).toEqual([0, 1]);
  expect(cloze[0].fields).toMatchObject({ Text: "{{c1::Paris}} is the capital of {{c2::France}}.", "Back Extra": "Since 987" });
});

it("round-trips a deck through CSV export and import, and exports Markdown", async () => {
  const learner = await world.user();
  const token = learner.accessToken;
  const source = await createDeck(world, token, "Round trip");
  for (const card of CARDS) await createCard(world, token, source.id, card);
  const csv = await (await exported(source.id, "csv", token)).text();
  expect(csv.split("\n")[0]).toBe("front,back,tags");

  const target = await createDeck(world, token, "Imported");
  const result = ok(await importCsv(token, target.id, csv)).importCards;
  expect(result).toEqual({ imported: 3, errors: [] });
  const strip = (cards: { kind: string; front: string; back: string; tags: string[] }[]) => cards.map(({ kind, front, back, tags }) => ({ kind, front, back, tags }));
  const before = ok(await world.gql(CardsDocument, { deckId: source.id }, { token })).cards.items;
  const after = ok(await world.gql(CardsDocument, { deckId: target.id }, { token })).cards.items;
  expect(strip(after)).toEqual(strip(before));
  expect(after.every((card) => card.source.type === "IMPORT")).toBe(true);

  const markdown = await (await exported(source.id, "md", token)).text();
  expect(markdown).toContain("# Round trip");
  for (const card of CARDS) expect(markdown).toContain(card.front);
  expect(markdown).toContain("> It makes ATP.");
});

it("imports good rows, reports bad ones by line, and stores nothing from a file that fails as a whole", async () => {
  const learner = await world.user();
  const token = learner.accessToken;
  const deck = await createDeck(world, token, "Imports");
  await createCard(world, token, deck.id, { front: "Already here", back: "Yes" });
  const csv = ["Sun,A star,space", "only one column", ",no front", "Moon,", "Already here,Again", "Sun,Repeated", '"Mars, the red planet",The fourth planet,space planets'].join("\n");
  const result = ok(await importCsv(token, deck.id, csv)).importCards;
  expect(result.imported).toBe(2);
  expect(result.errors).toEqual([
    { row: 2, message: "expected front,back[,tags], got 1 column" },
    { row: 3, message: "the front is empty" },
    { row: 4, message: "the back is empty" },
    { row: 5, message: "the deck already has this card" },
    { row: 6, message: "repeats an earlier row" },
  ]);
  const count = async () => ok(await world.gql(DeckDocument, { id: deck.id }, { token })).deck!.cardCount;
  expect(await count()).toBe(3);

  const tooLarge = await importCsv(token, deck.id, Buffer.alloc(10 * 1024 * 1024, "a,b\n"));
  expect(errorCode(tooLarge)).toBe("PAYLOAD_TOO_LARGE");
  const brokenQuotes = await importCsv(token, deck.id, 'Venus,"never closed\nJupiter,A giant');
  expect(errorCode(brokenQuotes)).toBe("BAD_USER_INPUT");
  const notUtf8 = await importCsv(token, deck.id, Buffer.from([0x66, 0x72, 0xff, 0x2c, 0x62, 0x0a]));
  expect(errorCode(notUtf8)).toBe("BAD_USER_INPUT");
  expect(await count()).toBe(3);

  const stranger = await world.user();
  expect(errorCode(await importCsv(stranger.accessToken, deck.id, "a,b"))).toBe("NOT_FOUND");
  expect(await count()).toBe(3);
});

it("answers bad input with a clear code and changes nothing", async () => {
  const [owner, stranger] = [await world.user(), await world.user()];
  const deck = await createDeck(world, owner.accessToken, "Mine");
  const card = await createCard(world, owner.accessToken, deck.id, { front: "Q", back: "A" });

  const noCloze = await world.gql(CreateCardDocument, { input: { deckId: deck.id, kind: "CLOZE", front: "No deletion here" } }, { token: owner.accessToken });
  expect(errorCode(noCloze)).toBe("BAD_USER_INPUT");
  expect(failedFields(noCloze)).toEqual(["input.front"]);
  const noBack = await world.gql(CreateCardDocument, { input: { deckId: deck.id, front: "Lonely" } }, { token: owner.accessToken });
  expect(failedFields(noBack)).toEqual(["input.back"]);
  const tooLong = await world.gql(CreateCardDocument, { input: { deckId: deck.id, front: "x".repeat(2001), back: "y" } }, { token: owner.accessToken });
  expect(errorCode(tooLong)).toBe("BAD_USER_INPUT");

  const unknownRating = await world.gql(ReviewCardDocument, { cardId: card.id, rating: "MAYBE" as never }, { token: owner.accessToken });
  expect(errorCode(unknownRating)).toBe("BAD_USER_INPUT");
  const notYours = await world.gql(ReviewCardDocument, { cardId: card.id, rating: "GOOD" }, { token: stranger.accessToken });
  expect(errorCode(notYours)).toBe("NOT_FOUND");
  const intoTheirs = await world.gql(CreateCardDocument, { input: { deckId: deck.id, front: "Mine now", back: "No" } }, { token: stranger.accessToken });
  expect(errorCode(intoTheirs)).toBe("NOT_FOUND");
  expect(ok(await world.gql(DeckDocument, { id: deck.id }, { token: owner.accessToken })).deck!.cardCount).toBe(1);

  expect((await exported(deck.id, "apkg")).status).toBe(401);
  expect((await exported(deck.id, "apkg", stranger.accessToken)).status).toBe(404);
  const badFormat = await exported(deck.id, "pdf", owner.accessToken);
  expect(badFormat.status).toBe(400);
  expect(await badFormat.json()).toEqual({ detail: "format must be one of apkg, csv, md" });
});

import { SearchRankingsDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { uploadedAndSettled } from "../uploads/support";

/**
 * Hybrid search over the real server (offline embeddings, the embedded engine's `$search` and
 * `$rankFusion`): what the words find that the vectors miss.
 */
let world: CourseWorld;
let owner: Session;
let uploadId: string;

const TOPICS = ["disk", "network", "memory", "printer", "screen", "keyboard", "battery", "sound", "camera", "update"];
/** Many passages full of "error" and "code": what the vector side of "What does error E7731 mean?" is drawn to. */
const distractors = TOPICS.flatMap((topic, t) =>
  [0, 1, 2, 3, 4, 5].map(
    (k) =>
      `Error codes of the ${topic}, part ${k + 1}. When the ${topic} reports an error, the error code tells what went wrong. ` +
      `Each error code of the ${topic} is listed in the error table with what the error means and what to do about the error. ` +
      `Read the error code, look the error up, and follow the steps for that error code of the ${topic}. `.repeat(7) +
      // A last sentence longer than the chunker's overlap: no passage carries the start of the next one.
      `This part of the manual about the ${topic} ends here, and the next part goes on with more of the error codes that the ${topic} may report while it is in use, whatever the model of the ${topic} and whatever its firmware.`,
  ),
);
const target =
  "Watering the garden in summer. Water early in the morning so the soil keeps the moisture through the day. " +
  "The pump controller shows E7731 when its intake filter is clogged with leaves; clean the filter and restart the pump. " +
  "Mulch keeps the roots cool and saves water. ".repeat(14) +
  "A garden that is watered deeply and seldom grows deeper roots than one watered a little every day, and it stands a dry week in August far better, which is why gardeners water early and deeply.";
const TABLE_OF_CONTENTS = ["Contents", ...TOPICS.map((topic, i) => `${i + 1}. Error codes of the ${topic} . . . . . . ${i * 3 + 1}`)].join("\n");

beforeAll(async () => {
  world = await startCourseWorld();
  owner = await world.user();
  const text = [...distractors.slice(0, 30), target, ...distractors.slice(30)].join("\n\n");
  uploadId = (await uploadedAndSettled(world, owner.accessToken, "manual.txt", text)).id;
}, 60_000);

afterAll(() => world.server.stop());

async function search(query: string, limit = 5) {
  return ok(await world.gql(SearchRankingsDocument, { query, uploadId, limit }, { token: owner.accessToken })).search;
}

test("a rare exact term is found by the lexical ranking though the vector ranking misses it", async () => {
  const hits = await search("What does error E7731 mean?");
  const found = hits.find((hit) => hit.text.includes("E7731"));
  expect(found).toBeDefined();
  // Only the words found it: the vector side's candidates are all passages about error codes.
  expect(found!.rankings).toEqual(["LEXICAL"]);
  expect(found!.lexicalScore).toBeGreaterThan(0);
  // Its closeness in meaning is still given, computed for it.
  expect(found!.score).toBeGreaterThan(0);
  expect(found!.score).toBeLessThan(1);
  // Passages both rankings found say so.
  expect(hits.some((hit) => hit.rankings.length === 2)).toBe(true);
});

test("a table of contents is ranked below every passage of content", async () => {
  const text = [TABLE_OF_CONTENTS, distractors[12], distractors[36], distractors[40]].join("\n\n");
  const small = (await uploadedAndSettled(world, owner.accessToken, "short.txt", text)).id;
  const response = await world.gql(SearchRankingsDocument, { query: "error codes of the printer and the battery", uploadId: small, limit: 10 }, { token: owner.accessToken });
  const hits = ok(response).search;
  const toc = hits.findIndex((hit) => hit.toc);
  expect(toc).toBeGreaterThan(0);
  expect(hits[toc].text).toContain(". . . .");
  expect(hits.slice(toc).every((hit) => hit.toc)).toBe(true);
});

test("an index whose entries run together (GNU Info's `* term: Node. (line N)`) is ranked below content too", async () => {
  const entries = TOPICS.map((topic, i) => `* ${topic} errors: Error codes of the ${topic}. (line ${i * 7 + 3})`).join(" ");
  const text = [entries, distractors[12], distractors[36]].join("\n\n");
  const small = (await uploadedAndSettled(world, owner.accessToken, "indexed.txt", text)).id;
  const hits = ok(await world.gql(SearchRankingsDocument, { query: "printer errors", uploadId: small, limit: 10 }, { token: owner.accessToken })).search;
  const index = hits.findIndex((hit) => hit.text.includes("(line 3)"));
  expect(index).toBe(hits.length - 1);
  expect(hits[index].toc).toBe(true);
  expect(hits.slice(0, index).every((hit) => !hit.toc)).toBe(true);
});

test("an exact term the material writes in typographic quotes (‘--error-code’) is matched by the question's exact term", async () => {
  // Its words ("error", "code") are all over the passages around it: only the exact term tells it.
  const option =
    "The pump controller takes a few switches when it starts. ‘--error-code’ makes it print the last fault it met and stop. " +
    "Mulch keeps the roots cool and saves water. ".repeat(16);
  const text = [distractors[0], option, distractors[7]].join("\n\n");
  const quoted = (await uploadedAndSettled(world, owner.accessToken, "quoted.txt", text)).id;
  const hits = ok(await world.gql(SearchRankingsDocument, { query: "What does --error-code do?", uploadId: quoted, limit: 10 }, { token: owner.accessToken })).search;
  const byWords = [...hits].sort((a, b) => (b.lexicalScore ?? 0) - (a.lexicalScore ?? 0));
  expect(byWords[0].text).toContain("‘--error-code’");
  expect(byWords[0].rankings).toContain("LEXICAL");
});

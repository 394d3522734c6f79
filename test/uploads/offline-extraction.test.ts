import { CreateCourseFromUploadDocument, GenerateQuizDocument, SearchDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { AUTHOR_HEADER, CHAPTERS, makeBookPdf, makeUnstyledDocx, RUNNING_HEADER } from "./book-fixtures";
import { settled, uploaded } from "./support";

let world: CourseWorld;
let reader: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  reader = await world.user();
});

afterAll(() => world.server.stop());

async function ready(filename: string, content: Buffer): Promise<string> {
  const upload = await uploaded(world, reader.accessToken, filename, content);
  expect(await settled(world, reader.accessToken, upload.id)).toMatchObject({ status: "READY" });
  return upload.id;
}

const courseFrom = async (uploadId: string, numChapters = 4) =>
  ok(await world.gql(CreateCourseFromUploadDocument, { uploadId, input: { level: "BEGINNER", numChapters } }, { token: reader.accessToken })).createCourseFromUpload;

const search = async (query: string, uploadId: string) => ok(await world.gql(SearchDocument, { query, uploadId, limit: 10 }, { token: reader.accessToken })).search;

describe("a PDF with running headers, page numbers and chapter headings", () => {
  let bookId: string;

  beforeAll(async () => {
    bookId = await ready("guide.pdf", await makeBookPdf({ outline: false }));
  });

  it("keeps headers, footers and page numbers out of passages and chapters", async () => {
    const course = await courseFrom(bookId);
    const text = course.chapters.map((chapter) => chapter.content).join("\n");
    expect(text).toContain("Chlorophyll shows how a leaf does its work");
    expect(text).not.toContain(RUNNING_HEADER);
    expect(text).not.toMatch(/Page \d/);

    const hits = await search("field guide everyday science page", bookId);
    expect(hits.length).toBeGreaterThan(0);
    for (const hit of hits) {
      expect(hit.text).not.toContain(RUNNING_HEADER);
      expect(hit.text).not.toMatch(/Page \d/);
    }
  });

  it("names chapters after the document's heading lines, and passages carry them", async () => {
    const course = await courseFrom(bookId);
    expect(course.chapters.map((chapter) => chapter.title)).toEqual(CHAPTERS.map((chapter) => chapter.title));
    expect(course.chapters[1].content).toMatch(/^_From "guide", pages 3–4\._/);
    const [hit] = await search("mitochondria cristae protons synthase", bookId);
    expect(hit).toMatchObject({ heading: "The Powerhouse of the Cell", pageStart: 3 });
  });

  it("highlights the query's words but never its stop words", async () => {
    const [hit] = await search("how does the chlorophyll absorb sunlight", bookId);
    expect(hit.text).toContain("Chlorophyll shows how a leaf does its work");
    expect(hit.highlight).toContain("<em>chlorophyll</em>");
    expect(hit.highlight).toContain("<em>sunlight</em>");
    expect(hit.highlight).toContain(" how ");
    expect(hit.highlight).not.toMatch(/<em>(how|does|the)<\/em>/i);
  });

  it("writes an offline quiz whose questions never share a set of distractors", async () => {
    const quiz = ok(await world.gql(GenerateQuizDocument, { input: { uploadId: bookId, numQuestions: 8 } }, { token: reader.accessToken })).generateQuiz;
    expect(quiz.questions.length).toBeGreaterThanOrEqual(6);
    const distractorSets = quiz.questions.map((question) =>
      question.options
        .filter((_, i) => !question.correctOptions!.includes(i))
        .map((option) => option.toLowerCase())
        .sort(),
    );
    expect(distractorSets.every((set) => set.length === 3)).toBe(true);
    expect(new Set(distractorSets.map((set) => set.join("|"))).size).toBe(distractorSets.length);
    // Spread over the material's terms, not the same few beside every answer.
    const uses = new Map<string, number>();
    for (const term of distractorSets.flat()) uses.set(term, (uses.get(term) ?? 0) + 1);
    expect(Math.max(...uses.values())).toBeLessThanOrEqual(2);
  });
});

test("a PDF's outline names the chapters when its headings look like ordinary text; headers alternating left and right go too", async () => {
  const id = await ready("outlined.pdf", await makeBookPdf({ outline: true, alternateHeaders: true }));
  const course = await courseFrom(id);
  const text = course.chapters.map((chapter) => chapter.content).join("\n");
  expect(text).not.toContain(RUNNING_HEADER);
  expect(text).not.toContain(AUTHOR_HEADER);
  expect(text).not.toMatch(/Page \d/);
  expect(course.chapters.map((chapter) => chapter.title)).toEqual(CHAPTERS.map((chapter) => chapter.sentenceCase));
  expect(course.chapters.map((chapter) => chapter.content.split("\n")[0])).toEqual([
    '_From "outlined", pages 1–2._',
    '_From "outlined", pages 3–4._',
    '_From "outlined", pages 5–6._',
    '_From "outlined", pages 7–8._',
  ]);
});

test("a document without headings gets chapters named by their distinctive terms, not 'Part 1' or a sentence's start", async () => {
  const id = await ready("plain.docx", await makeUnstyledDocx());
  const course = await courseFrom(id, 3);
  expect(course.chapters).toHaveLength(3);
  for (const chapter of course.chapters) {
    expect(chapter.title).not.toMatch(/^Part \d/);
    expect(chapter.content).not.toContain(`${chapter.title} `);
    const terms = chapter.title.replace(" and ", ", ").split(", ");
    expect(terms.length).toBeGreaterThanOrEqual(2);
    for (const term of terms) expect(chapter.content.toLowerCase()).toContain(term.toLowerCase());
  }
  expect(new Set(course.chapters.map((chapter) => chapter.title)).size).toBe(3);
});

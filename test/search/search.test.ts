import { setTimeout as sleep } from "node:timers/promises";
import {
  AddChapterDocument,
  CourseDocument,
  CreateCourseFromUploadDocument,
  DeleteChapterDocument,
  DeleteCourseDocument,
  SearchDocument,
  UpdateChapterDocument,
  type SearchQuery,
  type SearchQueryVariables,
} from "../generated/graphql";
import { createCourse, errorCode, ok, publish, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { makeDocx, makePdf, PDF_PAGES } from "../uploads/fixtures";
import { settled, uploaded } from "../uploads/support";

let world: CourseWorld;
let instructor: Session;
let student: Session;
let other: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  instructor = await world.user("INSTRUCTOR");
  student = await world.user();
  other = await world.user();
});

afterAll(() => world.server.stop());

type Hit = SearchQuery["search"][number];

function search(token: string, variables: SearchQueryVariables) {
  return world.gql(SearchDocument, { limit: 5, ...variables }, { token });
}

/** Chapter indexing runs in the background: polls until `accept` holds for the hits. */
async function eventually(token: string, variables: SearchQueryVariables, accept: (hits: Hit[]) => boolean): Promise<Hit[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const hits = ok(await search(token, variables)).search;
    if (accept(hits)) return hits;
    if (Date.now() > deadline) throw new Error(`search never matched: ${JSON.stringify(hits)}`);
    await sleep(50);
  }
}

const addChapter = async (token: string, courseId: string, title: string, content: string) =>
  ok(await world.gql(AddChapterDocument, { input: { courseId, title, content, durationMinutes: 5 } }, { token })).addChapter;

test("chapters are searchable when created, follow edits, and go when deleted", async () => {
  const course = await createCourse(world.gql, student.accessToken, { title: "Ocean life" });
  const chapter = await addChapter(student.accessToken, course.id, "Coral reefs", "## Polyps\n\nCoral polyps build reefs from calcium carbonate.");
  const hits = await eventually(student.accessToken, { query: "coral polyps calcium carbonate", sourceTypes: ["CHAPTER"] }, (h) => h.length > 0);
  expect(hits[0]).toMatchObject({ source: { type: "CHAPTER", id: chapter.id, title: "Coral reefs", courseId: course.id }, heading: "Coral reefs > Polyps" });

  ok(await world.gql(UpdateChapterDocument, { id: chapter.id, input: { content: "Octopuses change colour with chromatophores." } }, { token: student.accessToken }));
  await eventually(student.accessToken, { query: "octopus chromatophores colour", courseId: course.id }, (h) => h[0]?.text.includes("chromatophores"));
  const after = ok(await search(student.accessToken, { query: "coral polyps calcium carbonate", courseId: course.id })).search;
  expect(after.every((hit) => !hit.text.includes("calcium"))).toBe(true);

  ok(await world.gql(DeleteChapterDocument, { id: chapter.id }, { token: student.accessToken }));
  await eventually(student.accessToken, { query: "octopus chromatophores colour", courseId: course.id }, (h) => h.length === 0);
});

test("search covers your uploads, your courses and the public catalog, never others' private material", async () => {
  const publicCourse = await createCourse(world.gql, instructor.accessToken, { title: "Public astronomy" });
  await addChapter(instructor.accessToken, publicCourse.id, "Saturn", "Saturn's rings are made of ice particles and rock.");
  await publish(world.gql, instructor.accessToken, publicCourse.id);
  const privateCourse = await createCourse(world.gql, instructor.accessToken, { title: "Private astronomy" });
  await addChapter(instructor.accessToken, privateCourse.id, "Neptune", "Neptune has supersonic winds of methane clouds.");
  const upload = await uploaded(world, instructor.accessToken, "pluto.txt", "Pluto is a dwarf planet in the Kuiper belt.");
  await settled(world, instructor.accessToken, upload.id);

  const seenBy = async (token: string, query: string) => (await eventually(token, { query }, () => true)).map((hit) => hit.source.id);
  await eventually(instructor.accessToken, { query: "Neptune supersonic winds methane" }, (h) => h.some((hit) => hit.source.title === "Neptune"));
  await eventually(other.accessToken, { query: "Saturn rings ice particles" }, (h) => h.some((hit) => hit.source.title === "Saturn"));

  const plutoForOthers = await seenBy(other.accessToken, "Pluto dwarf planet Kuiper belt");
  const instructorHits = await seenBy(instructor.accessToken, "Pluto dwarf planet Kuiper belt");
  expect(instructorHits).toContain(upload.id);
  expect(plutoForOthers).not.toContain(upload.id);
  const privateHits = ok(await search(other.accessToken, { query: "Neptune supersonic winds", limit: 50 })).search;
  expect(privateHits.some((hit) => hit.source.courseId === privateCourse.id)).toBe(false);
  // The admin reads every course, but uploads stay their owners'.
  const adminHits = ok(await search(world.admin.accessToken, { query: "Neptune supersonic winds methane Pluto", limit: 50 })).search;
  expect(adminHits.some((hit) => hit.source.courseId === privateCourse.id)).toBe(true);
  expect(adminHits.some((hit) => hit.source.id === upload.id)).toBe(false);

  expect(errorCode(await search(other.accessToken, { query: "Neptune", courseId: privateCourse.id }))).toBe("NOT_FOUND");
  expect(errorCode(await search(other.accessToken, { query: "   " }))).toBe("BAD_USER_INPUT");
  expect(errorCode(await world.gql(SearchDocument, { query: "Saturn" }))).toBe("UNAUTHENTICATED");

  ok(await world.gql(DeleteCourseDocument, { id: publicCourse.id }, { token: instructor.accessToken }));
  await eventually(other.accessToken, { query: "Saturn rings ice particles", sourceTypes: ["CHAPTER"], limit: 50 }, (h) => h.every((hit) => hit.source.courseId !== publicCourse.id));
});

test("createCourseFromUpload follows the document's headings, or balanced parts with their pages", async () => {
  const docx = await uploaded(world, student.accessToken, "handbook.docx", await makeDocx());
  await settled(world, student.accessToken, docx.id);
  const fromDocx = ok(
    await world.gql(CreateCourseFromUploadDocument, { uploadId: docx.id, input: { level: "BEGINNER", numChapters: 5 } }, { token: student.accessToken }),
  ).createCourseFromUpload;
  expect(fromDocx).toMatchObject({ title: "handbook", source: "FROM_UPLOAD", level: "BEGINNER" });
  expect(fromDocx.chapters.map((chapter) => chapter.title)).toEqual(["Astronomy", "Cooking"]);
  expect(fromDocx.chapters[0].content).toContain("The Moon orbits the Earth");
  expect(fromDocx.chapters[1].content).toContain("yeast ferments sugar");

  const pdf = await uploaded(world, student.accessToken, "pages.pdf", await makePdf());
  await settled(world, student.accessToken, pdf.id);
  const fromPdf = ok(
    await world.gql(CreateCourseFromUploadDocument, { uploadId: pdf.id, input: { title: "Four topics", level: "INTERMEDIATE", numChapters: 2 } }, { token: student.accessToken }),
  ).createCourseFromUpload;
  expect(fromPdf.title).toBe("Four topics");
  expect(fromPdf.chapters.map((chapter) => chapter.content.split("\n")[0])).toEqual(['_From "pages", pages 1–2._', '_From "pages", pages 3–4._']);
  expect(fromPdf.chapters[0].content).toContain(PDF_PAGES[0].split(".")[0]);
  expect(fromPdf.chapters[1].content).toContain(PDF_PAGES[3].split(".")[0]);
  // The course is private to its owner, and its chapters are searchable like any other.
  expect(ok(await world.gql(CourseDocument, { id: fromPdf.id }, { token: other.accessToken })).course).toBeNull();
  await eventually(student.accessToken, { query: "storming of the Bastille", courseId: fromPdf.id }, (h) => h.length > 0);

  expect(errorCode(await world.gql(CreateCourseFromUploadDocument, { uploadId: pdf.id, input: { level: "BEGINNER" } }, { token: other.accessToken }))).toBe("NOT_FOUND");
});

import { calculateObjectSize, type Document } from "bson";
import type { CommandStartedEvent, CommandSucceededEvent } from "mongodb";
import mongoose from "mongoose";
import { AddChapterDocument, CourseDocument, MyCourseTitlesDocument, CoursesDocument, CoursesWithEverythingDocument } from "../generated/graphql";
import { createCourse, ok, publish, startCourseWorld, type CourseWorld, type Session } from "./support";

/**
 * What the database sends back per page, counted from the driver's command monitoring (the test
 * server runs in this process, with DB_COMMAND_MONITORING on): a page reads only what its
 * operation selects.
 */
let world: CourseWorld;
let owner: Session;
let courseId: string;
const TAG = "bytes-read";
const COURSES = 5;
const CHAPTERS = 4;
/** Each chapter's Markdown: far larger than everything else a chapter holds. */
const CONTENT_BYTES = 5_000;

interface Read {
  /** `find` and `aggregate` commands sent, by collection. */
  commands: string[];
  /** Bytes of the documents returned, by collection. */
  bytes: Map<string, number>;
  /** Fields of the chapters `find` returned. */
  chapterFields: Set<string>;
}

async function readDuring<T>(work: () => Promise<T>): Promise<{ read: Read; result: T }> {
  const client = mongoose.connection.getClient();
  const collections = new Map<number, string>();
  const finds = new Set<number>();
  const read: Read = { commands: [], bytes: new Map(), chapterFields: new Set() };
  const started = (event: CommandStartedEvent) => {
    const collection = event.command.find ?? event.command.aggregate;
    if (typeof collection !== "string") return;
    collections.set(event.requestId, collection);
    if (event.commandName === "find") finds.add(event.requestId);
    read.commands.push(`${collection}.${event.commandName}`);
  };
  const succeeded = (event: CommandSucceededEvent) => {
    const collection = collections.get(event.requestId);
    if (!collection) return;
    const documents = ((event.reply as { cursor?: { firstBatch?: Document[] } }).cursor?.firstBatch ?? []) as Document[];
    for (const document of documents) {
      read.bytes.set(collection, (read.bytes.get(collection) ?? 0) + calculateObjectSize(document));
      if (collection === "chapters" && finds.has(event.requestId)) for (const field of Object.keys(document)) read.chapterFields.add(field);
    }
  };
  client.on("commandStarted", started);
  client.on("commandSucceeded", succeeded);
  try {
    const result = await work();
    read.commands.sort();
    return { read, result };
  } finally {
    client.off("commandStarted", started);
    client.off("commandSucceeded", succeeded);
  }
}

beforeAll(async () => {
  world = await startCourseWorld({ DB_COMMAND_MONITORING: "true" });
  owner = await world.user("INSTRUCTOR");
  for (let i = 0; i < COURSES; i++) {
    const course = await createCourse(world.gql, owner.accessToken, { title: `Bytes course ${i}`, tags: [TAG], outline: "o".repeat(CONTENT_BYTES) });
    for (let c = 1; c <= CHAPTERS; c++) {
      const input = { courseId: course.id, title: `Chapter ${c}`, content: "x".repeat(CONTENT_BYTES), durationMinutes: c };
      ok(await world.gql(AddChapterDocument, { input }, { token: owner.accessToken }));
    }
    await publish(world.gql, owner.accessToken, course.id);
    courseId = course.id;
  }
});

afterAll(() => world.server.stop());

const list = () => world.gql(CoursesWithEverythingDocument, { filter: { owner: "PUBLIC", tags: [TAG] }, limit: 20 }, { token: owner.accessToken });

it("a list of chapters without content never reads content, nor any chapter: the courses carry their summaries", async () => {
  const { read, result } = await readDuring(list);
  const courses = ok(result).courses.items;
  expect(courses).toHaveLength(COURSES);
  expect(courses.every((course) => course.chapters.length === CHAPTERS && course.chapterCount === CHAPTERS && course.totalDurationMinutes === 10)).toBe(true);

  // Issue 30: the summaries on the course (id, title, order, minutes) answer it; before, one chapters.find without content.
  expect(read.commands.filter((command) => command.startsWith("chapters."))).toEqual([]);
  expect(read.chapterFields.size).toBe(0);
});

it("a list without the outline does not read the outline", async () => {
  const { read, result } = await readDuring(() =>
    world.gql(MyCourseTitlesDocument, { filter: { owner: "PUBLIC", tags: [TAG] }, limit: 20 }, { token: owner.accessToken }),
  );
  expect(ok(result).courses.items).toHaveLength(COURSES);
  expect(read.bytes.get("courses")).toBeLessThan(CONTENT_BYTES);
});

it("the same courses with content read it, once per chapter", async () => {
  const { read, result } = await readDuring(() => world.gql(CourseDocument, { id: courseId }, { token: owner.accessToken }));
  expect(ok(result).course?.chapters).toHaveLength(CHAPTERS);
  expect(read.chapterFields.has("content")).toBe(true);
  expect(read.bytes.get("chapters")).toBeGreaterThan(CHAPTERS * CONTENT_BYTES);
  expect(read.commands.filter((command) => command.startsWith("chapters."))).toEqual(["chapters.find"]);
});

it("counts without chapters are carried by the courses, reading no chapter", async () => {
  const { read, result } = await readDuring(() => world.gql(CoursesDocument, { filter: { owner: "PUBLIC", tags: [TAG] }, limit: 20 }, { token: owner.accessToken }));
  expect(ok(result).courses.items.every((course) => course.chapterCount === CHAPTERS && course.totalDurationMinutes === 10)).toBe(true);
  // Issue 30: before, counted by one chapters.aggregate.
  expect(read.commands.filter((command) => command.startsWith("chapters."))).toEqual([]);
  expect(read.chapterFields.size).toBe(0);
});

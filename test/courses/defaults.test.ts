import { buildClientSchema, getIntrospectionQuery, isObjectType, parse, type IntrospectionQuery } from "graphql";
import { CreateCourseDocument, GenerateCourseDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld, type Session } from "./support";

/** The seed's defaults: a client that leaves these out gets what the seed's clients got. */
let world: CourseWorld;
let student: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  student = await world.user();
});
afterAll(() => world.server.stop());

it("createCourse makes a private, hand-written BEGINNER course when level is left out", async () => {
  const created = ok(await world.gql(CreateCourseDocument, { input: { title: "No level given" } }, { token: student.accessToken })).createCourse;
  expect(created).toMatchObject({ title: "No level given", level: "BEGINNER", isPublic: false, source: "MANUAL" });
});

it("generateCourse writes 5 chapters for a BEGINNER when level and numChapters are left out", async () => {
  const course = ok(await world.gql(GenerateCourseDocument, { input: { topic: "The water cycle" } }, { token: student.accessToken })).generateCourse;
  expect(course).toMatchObject({ level: "BEGINNER", isPublic: false, source: "AI_GENERATED" });
  expect(course.chapters).toHaveLength(5);
});

it("every paged list takes skip 0 and limit 20 by default", async () => {
  const introspection = await world.gql(parse(getIntrospectionQuery()));
  const schema = buildClientSchema(introspection.data as unknown as IntrospectionQuery);
  const lists = Object.values(schema.getTypeMap())
    .filter(isObjectType)
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ name: `${type.name}.${field.name}`, args: field.args })))
    // Search's `limit` is how many best passages to return, not a page: it has no `skip`.
    .filter(({ args }) => args.some((arg) => arg.name === "limit") && args.some((arg) => arg.name === "skip"));
  expect(lists.length).toBeGreaterThan(5);
  for (const { name, args } of lists) {
    const defaults = Object.fromEntries(args.filter((arg) => ["skip", "limit"].includes(arg.name)).map((arg) => [arg.name, arg.defaultValue]));
    expect({ name, defaults }).toEqual({ name, defaults: { skip: 0, limit: 20 } });
  }
});

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema } from "graphql";
import { unpricedFields } from "../../src/server/security/response-estimate";
import { createCourse, startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { bearer, codes, post } from "../hardening/support";

let world: CourseWorld;
let mallory: Session;
let quizId: string;

const long = (seed: string, length: number) => `${seed} `.padEnd(length, "x");
/** 50 questions of 6 options (the most a question holds) at their longest: 800 KB, about what one 1 MB request body carries. */
const heavyQuestions = Array.from({ length: 50 }, (_, i) => ({
  type: "MULTIPLE_CHOICE",
  prompt: long(`q${i}`, 2_000),
  options: Array.from({ length: 6 }, (_, k) => long(`o${i}.${k}`, 2_000)),
  correctOptions: [0],
  explanation: long(`e${i}`, 2_000),
}));

/** The issue's 602-byte query: one fragment read through 30 aliases. */
const amplified = (id: string) =>
  `query($i:ID!){${Array.from({ length: 30 }, (_, n) => `a${n}:quiz(id:$i){...f}`).join(" ")}}fragment f on Quiz{questions{prompt options explanation acceptedAnswers}}`;

beforeAll(async () => {
  world = await startCourseWorld();
  mallory = await world.user("STUDENT");
  const course = await createCourse(world.gql, mallory.accessToken);
  const created = await post(
    world.server.graphqlUrl,
    {
      query: "mutation($input: CreateQuizInput!) { createQuiz(input: $input) { id } }",
      variables: { input: { courseId: course.id, title: "heavy", questions: heavyQuestions } },
    },
    bearer(mallory.accessToken),
  );
  expect(created.body?.errors).toBeUndefined();
  quizId = (created.body?.data?.createQuiz as { id: string }).id;
}, 60_000);

afterAll(async () => {
  await world?.server.stop();
});

describe("the response-size estimate", () => {
  it("has a figure for every string, scalar and list field of the schema", () => {
    const schema = buildSchema(readFileSync(join(__dirname, "../../schema.graphql"), "utf8"));
    expect(unpricedFields(schema)).toEqual([]);
  });

  it("refuses a query like the issue's 602-byte one (737 bytes here) before running it (30 x a quiz's options and explanations, 24 MB to build)", async () => {
    const query = amplified(quizId);
    expect(query.length).toBeLessThan(800);
    const response = await post(world.server.graphqlUrl, { query, variables: { i: quizId } }, bearer(mallory.accessToken));
    // GRAPHQL_VALIDATION_FAILED is said before execution; an answer built and then cut is RESPONSE_TOO_LARGE.
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(response.body?.errors?.[0]?.message).toMatch(/too much data: up to \d+ bytes exceeds the limit of 67108864/);
    expect(response.body?.errors?.[0]?.extensions?.estimatedBytes).toBeGreaterThan(64 * 1024 * 1024);
  });

  it("still lets one read of the same quiz through", async () => {
    const response = await post(
      world.server.graphqlUrl,
      { query: "query($i: ID!) { quiz(id: $i) { questions { prompt options explanation acceptedAnswers } } }", variables: { i: quizId } },
      bearer(mallory.accessToken),
    );
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
    expect(response.text.length).toBeGreaterThan(800_000);
  });

  it("prices options, which the old estimate left out, at the longest stored: two pages of 100 quizzes' options alone are refused", async () => {
    // Each page could hold 100 quizzes of 50 questions of 6 options as long as the longest stored (2,002 JSON bytes): 60 MB.
    const query = `{ ${["a", "b"].map((alias) => `${alias}: quizzes(limit: 100) { items { questions { options } } }`).join(" ")} }`;
    const response = await post(world.server.graphqlUrl, { query }, bearer(mallory.accessToken));
    expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
    expect(response.body?.errors?.[0]?.extensions?.estimatedBytes).toBeGreaterThan(64 * 1024 * 1024);
    const onePage = await post(world.server.graphqlUrl, { query: "{ quizzes(limit: 100) { items { questions { options } } } }" }, bearer(mallory.accessToken));
    expect(onePage.body?.errors).toBeUndefined();
  });

  it("keeps /health answering while the attack is repeated", async () => {
    const attacks = Array.from({ length: 8 }, () =>
      post(world.server.graphqlUrl, { query: amplified(quizId), variables: { i: quizId } }, bearer(mallory.accessToken)),
    );
    const health = await fetch(new URL("/health", world.server.url));
    expect(health.status).toBe(200);
    for (const response of await Promise.all(attacks)) expect(codes(response)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });
});

import { startTestServer, type TestServer } from "../helpers/server";
import { wsClient } from "../helpers/ws";
import { codes, post, type RawResponse } from "./support";

/** Every refusal must come well before a real attack would hurt. */
const QUICKLY_MS = 2_000;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

const send = (query: string, variables?: Record<string, unknown>) => post(server.graphqlUrl, { query, variables });

/** `courses { items { chapters { course { chapters { ... id } } } } }`, `levels` fields deep under items. */
function courseChain(levels: number, limit = 20): string {
  const fields = Array.from({ length: levels }, (_, i) => (i % 2 === 0 ? "chapters" : "course"));
  return `{ courses(limit: ${limit}) { items { ${fields.map((f) => `${f} {`).join(" ")} id ${"}".repeat(levels)} } } }`;
}

function expectRefused(response: RawResponse, code: string, message: RegExp): void {
  expect(response.status).toBe(400);
  expect(codes(response)).toContain(code);
  expect(response.body?.errors?.map((e) => e.message).join("\n")).toMatch(message);
  expect(response.body?.data).toBeUndefined();
  expect(response.ms).toBeLessThan(QUICKLY_MS);
}

describe("abusive operations over HTTP", () => {
  it("answers a normal query", async () => {
    const response = await send("{ health { status } courses(limit: 100) { total items { id chapters { id } } } }");
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
    expect(response.body?.data).toMatchObject({ health: { status: expect.any(String) }, courses: { total: 0 } });
  });

  it("refuses a depth bomb", async () => {
    expectRefused(await send(courseChain(40)), "GRAPHQL_VALIDATION_FAILED", /depth/i);
  });

  it("refuses an alias flood of 1,000 aliases", async () => {
    const aliases = Array.from({ length: 1_000 }, (_, i) => `a${i}: __typename`).join(" ");
    expectRefused(await send(`{ ${aliases} }`), "GRAPHQL_VALIDATION_FAILED", /aliases/i);
  });

  it("refuses a flood of directives", async () => {
    const fields = Array.from({ length: 100 }, () => "__typename @include(if: true)").join(" ");
    expectRefused(await send(`{ ${fields} }`), "GRAPHQL_VALIDATION_FAILED", /directives/i);
  });

  it("refuses a 1 MB query string before parsing it", async () => {
    const response = await send(`{ __typename ${"x".repeat(1024 * 1024)} }`);
    expect(response.status).toBe(413);
    expect(codes(response)).toEqual(["PAYLOAD_TOO_LARGE"]);
    expect(response.ms).toBeLessThan(QUICKLY_MS);
  });

  it("stops parsing a document with too many tokens", async () => {
    const fields = Array.from({ length: 60_000 }, () => "__typename").join(" ");
    const response = await send(`{ ${fields} }`);
    expect(response.status).toBe(400);
    expect(codes(response)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    expect(response.body?.errors?.[0]?.message).toMatch(/tokens/);
    expect(response.ms).toBeLessThan(QUICKLY_MS);
  });

  it("refuses a batch of 100 operations", async () => {
    const batch = Array.from({ length: 100 }, () => ({ query: "{ __typename }" }));
    const response = await post(server.graphqlUrl, batch);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/batch/i);
    expect(response.ms).toBeLessThan(QUICKLY_MS);
  });

  it("prices deeply nested lists by their limit and refuses the expensive ones", async () => {
    const affordable = await send(courseChain(2, 100));
    expect(affordable.body?.errors).toBeUndefined();
    expectRefused(await send(courseChain(8, 100)), "GRAPHQL_VALIDATION_FAILED", /too expensive: cost \d+ exceeds the limit of 5000/);
  });

  it("counts a limit passed as a variable", async () => {
    // Ends in one owner, not 200 chapters a course: 200^3 chapter ids could be 600 MB, refused for its size at any limit.
    const query = `query($n: Int!) { courses(limit: $n) { items { chapters { course { chapters { course { owner { id } } } } } } } }`;
    expect((await send(query, { n: 1 })).body?.errors).toBeUndefined();
    expectRefused(await send(query, { n: 100 }), "GRAPHQL_VALIDATION_FAILED", /too expensive/);
  });

  it("refuses a deeply nested list value", async () => {
    const value = `${"[".repeat(2_000)}"x"${"]".repeat(2_000)}`;
    const response = await send(`{ courses(filter: { tags: ${value} }) { total } }`);
    expect(response.status).toBe(400);
    expect(response.ms).toBeLessThan(QUICKLY_MS);
  });

  it("refuses a circular fragment", async () => {
    const query = `
      fragment A on Course { chapters { course { ...B } } }
      fragment B on Course { chapters { course { ...A } } }
      { courses { items { ...A } } }`;
    expectRefused(await send(query), "GRAPHQL_VALIDATION_FAILED", /cannot spread fragment "A" within itself/i);
  });

  it("still answers normally after all of that", async () => {
    const response = await send("{ health { status } }");
    expect(response.status).toBe(200);
    expect(response.body?.data).toEqual({ health: { status: expect.any(String) } });
  });

  it("lets Sandbox's introspection through", async () => {
    const { getIntrospectionQuery } = await import("graphql");
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
      oneOf: true,
    });
    const response = await send(query);
    expect(response.status).toBe(200);
    expect(response.body?.errors).toBeUndefined();
  });
});

describe("the same limits over websockets", () => {
  /** The errors of one operation over graphql-ws. */
  async function overWs(query: string, variables?: Record<string, unknown>): Promise<unknown> {
    const client = wsClient(server.wsUrl);
    try {
      const iterator = client.iterate({ query, variables });
      const first = await iterator.next();
      return first.value;
    } catch (error) {
      return { thrown: error };
    } finally {
      await client.dispose();
    }
  }

  // Short enough to read in a failure.
  const messages = (outcome: unknown) => JSON.stringify(outcome).slice(0, 2_000);

  it("answers a normal query", async () => {
    expect(await overWs("{ health { status } }")).toEqual({ data: { health: { status: expect.any(String) } } });
  });

  it.each([
    ["a depth bomb", courseChain(40), /depth/i],
    ["an alias flood", `{ ${Array.from({ length: 1_000 }, (_, i) => `a${i}: __typename`).join(" ")} }`, /aliases/i],
    ["too many tokens", `{ ${Array.from({ length: 6_000 }, () => "__typename").join(" ")} }`, /tokens/i],
    ["nested lists past the cost limit", courseChain(8, 100), /too expensive/],
    ["a circular fragment", "fragment A on Course { chapters { course { ...A } } } { courses { items { ...A } } }", /within itself/],
  ])("refuses %s", async (_name, query, message) => {
    const started = performance.now();
    const outcome = messages(await overWs(query));
    expect(outcome).toMatch(message);
    expect(outcome).toMatch(/GRAPHQL_(VALIDATION|PARSE)_FAILED/);
    expect(performance.now() - started).toBeLessThan(QUICKLY_MS);
  });
});

import { startCourseWorld, type CourseWorld, type Session } from "../courses/support";
import { bearer, codes, post } from "../hardening/support";

let world: CourseWorld;
let alice: Session;

beforeAll(async () => {
  world = await startCourseWorld();
  alice = await world.user();
});
afterAll(async () => {
  await world?.server.stop();
});

const send = (query: string, variables?: Record<string, unknown>) => post(world.server.graphqlUrl, { query, variables }, bearer(alice.accessToken));

/** `{"a":{"a":…}}`, `depth` objects deep. */
function nestedObject(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe("preferences nested past the depth limit", () => {
  it.each([
    ["as a variable", (prefs: unknown) => send("mutation($p: JSONObject) { updateProfile(input: { preferences: $p }) { id } }", { p: prefs })],
  ])("is BAD_USER_INPUT %s", async (_how, request) => {
    // 2,700 levels are refused before coercion, whatever the field; 25 by the preferences rule itself.
    const deep = await request(nestedObject(2_700));
    expect(deep.status).toBeLessThan(500);
    expect(codes(deep)).toEqual(["BAD_USER_INPUT"]);
    expect(JSON.stringify(deep.body?.errors)).toMatch(/Variables are nested deeper than 32 levels/);
    const response = await request(nestedObject(25));
    expect(response.status).toBeLessThan(500);
    expect(codes(response)).toEqual(["BAD_USER_INPUT"]);
    expect(JSON.stringify(response.body?.errors)).toMatch(/preferences must not nest deeper than 20 levels/);
  });

  it("a shallow object is still stored", async () => {
    const response = await send("mutation($p: JSONObject) { updateProfile(input: { preferences: $p }) { id } }", { p: nestedObject(5) });
    expect(response.body?.errors).toBeUndefined();
  });
});

import { buildClientSchema, getIntrospectionQuery, type GraphQLField, type IntrospectionQuery, type OperationTypeNode } from "graphql";
import { documentFor, outcomeOf, viaWebSocket } from "./calls";
import { CLASS_MATRIX, CLASS_NESTED } from "./class-matrix";
import { CLASS_ROLES, ClassWorld, type ClassRole } from "./class-world";
import type { Outcome } from "./matrix";

/**
 * The classes domain's authorization table: every root field as anonymous, a student outside
 * the class, a student in it, its TA, its teacher, another instructor and an admin.
 */
jest.setTimeout(120_000);

let world: ClassWorld;
let roots: Map<string, { operation: "query" | "mutation" | "subscription"; field: GraphQLField<unknown, unknown> }>;

beforeAll(async () => {
  world = await ClassWorld.start();
  const introspection = await world.must("admin", getIntrospectionQuery());
  const schema = buildClientSchema(introspection as unknown as IntrospectionQuery);
  roots = new Map();
  for (const operation of ["query", "mutation", "subscription"] as const) {
    const type = schema.getRootType(operation as OperationTypeNode);
    for (const field of Object.values(type?.getFields() ?? {})) roots.set(`${type!.name}.${field.name}`, { operation, field });
  }
}, 60_000);
afterAll(async () => {
  await world?.server.stop();
});

describe.each(Object.entries(CLASS_MATRIX))("%s", (name, entry) => {
  it("answers each role as the table says", async () => {
    const root = roots.get(name);
    if (!root) throw new Error(`${name} is not in the schema`);
    const seen = {} as Record<ClassRole, Outcome>;
    for (const role of CLASS_ROLES) {
      const variables = await entry.vars(world, role);
      const query = documentFor(root.operation, root.field, variables);
      const result = root.operation === "subscription" ? await viaWebSocket(world.server.wsUrl, world.token(role), query, variables) : await world.request(world.token(role), query, variables);
      const outcome = outcomeOf(result);
      seen[role] = outcome === "empty" && entry.expect[role] === "ok" ? "ok" : outcome;
    }
    expect(seen).toEqual(entry.expect);
  });
});

describe.each(Object.entries(CLASS_NESTED))("%s", (_name, entry) => {
  it("answers each role as the table says", async () => {
    const seen = {} as Record<ClassRole, Outcome>;
    for (const role of CLASS_ROLES) seen[role] = outcomeOf(await world.request(world.token(role), entry.query, await entry.vars(world, role)));
    expect(seen).toEqual(entry.expect);
  });
});

it("no e-mail address reaches a student: the roster shows them to teachers, TAs and admins only", async () => {
  const query = "query($id: ID!) { class(id: $id) { roster { items { name email } } } }";
  const emails = {} as Record<ClassRole, (string | null)[] | null>;
  for (const role of CLASS_ROLES) {
    const result = await world.request(world.token(role), query, { id: world.classId });
    const roster = (result.data?.class as { roster: { items: { email: string | null }[] } } | null | undefined)?.roster;
    emails[role] = roster ? roster.items.map((item) => item.email) : null;
  }
  const all = [world.users.teacher.email, world.users.ta.email, world.users.student.email];
  expect(emails).toEqual({ anonymous: null, outsider: null, student: [null, null, null], ta: all, teacher: all, otherInstructor: null, admin: all });
});

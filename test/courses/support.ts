import { randomUUID } from "node:crypto";
import {
  AddChapterDocument,
  CreateCourseDocument,
  LoginDocument,
  PublishCourseDocument,
  SetUserRoleDocument,
  type CreateCourseInput,
  type CreateCourseMutation,
} from "../generated/graphql";
import { errorCode, graphqlClient, type GraphQLResponse } from "../helpers/graphql";
import { startTestServer, type TestServer } from "../helpers/server";
import { registerUser, type Gql, type Session } from "../accounts/support";

export { errorCode };
export type { Gql, Session };

const ADMIN_EMAIL = "course-admin@example.com";
const ADMIN_PASSWORD = "admin password 1";

export interface CourseWorld {
  server: TestServer;
  gql: Gql;
  admin: Session;
  /** Signs up a student, or an instructor (promoted by the admin). */
  user(role?: "STUDENT" | "INSTRUCTOR"): Promise<Session>;
}

/** A server with an admin; `env` adds settings (e.g. the AI provider). */
export async function startCourseWorld(env: Record<string, string> = {}): Promise<CourseWorld> {
  const server = await startTestServer({ BCRYPT_COST: "4", ADMIN_EMAIL, ADMIN_PASSWORD, ...env });
  const gql = graphqlClient(server.graphqlUrl);
  const login = await gql(LoginDocument, { input: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
  const admin = ok(login).login;
  return {
    server,
    gql,
    admin,
    async user(role = "STUDENT") {
      const session = await registerUser(gql, { name: `${role.toLowerCase()} ${randomUUID().slice(0, 4)}` });
      if (role === "INSTRUCTOR") {
        ok(await gql(SetUserRoleDocument, { userId: session.user.id, role }, { token: admin.accessToken }));
      }
      return session;
    },
  };
}

/** The data of a response that must have succeeded; otherwise the errors, to read in the failure. */
export function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`unexpected errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}

export type CreatedCourse = CreateCourseMutation["createCourse"];

export async function createCourse(gql: Gql, token: string, input: Partial<CreateCourseInput> = {}): Promise<CreatedCourse> {
  const response = await gql(CreateCourseDocument, { input: { title: "A course", level: "BEGINNER", ...input } }, { token });
  return ok(response).createCourse;
}

export async function addChapters(gql: Gql, token: string, courseId: string, count: number, minutes = 10): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) {
    const response = await gql(AddChapterDocument, { input: { courseId, title: `Chapter ${i}`, content: `# Chapter ${i}`, durationMinutes: minutes } }, { token });
    ids.push(ok(response).addChapter.id);
  }
  return ids;
}

export async function publish(gql: Gql, token: string, id: string, isPublic = true): Promise<void> {
  ok(await gql(PublishCourseDocument, { id, isPublic }, { token }));
}

/** `extensions.fields[].field` of the first error. */
export function failedFields(response: { errors?: readonly { extensions?: Record<string, unknown> }[] }): string[] {
  const fields = response.errors?.[0]?.extensions?.fields as { field: string }[] | undefined;
  return (fields ?? []).map((field) => field.field);
}

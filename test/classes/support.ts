import { randomUUID } from "node:crypto";
import type { GraphQLFormattedError } from "graphql";

export const PASSWORD = "class password 1";

export interface Result<T = Record<string, any>> {
  data?: T | null;
  errors?: GraphQLFormattedError[];
}

export interface Account {
  id: string;
  email: string;
  name: string;
  token: string;
}

/** Raw GraphQL over HTTP against one server (`graphqlUrl`), as a client would send it. */
export class Api {
  constructor(readonly graphqlUrl: string) {}

  async call<T = Record<string, any>>(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Result<T>> {
    const response = await fetch(this.graphqlUrl, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Result<T>;
  }

  /** The data of a call that must succeed. */
  async must<T = Record<string, any>>(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.call<T>(token, query, variables);
    if (result.errors?.length || !result.data) throw new Error(`failed: ${query}\n${JSON.stringify(result.errors)}`);
    return result.data;
  }

  async login(email: string, password = PASSWORD): Promise<string> {
    const data = await this.must(undefined, "mutation($input: LoginInput!) { login(input: $input) { accessToken } }", { input: { email, password } });
    return data.login.accessToken as string;
  }

  /** A new account; `role` set by `adminToken` when it is not a student. */
  async user(name: string, role: "STUDENT" | "INSTRUCTOR" = "STUDENT", adminToken?: string): Promise<Account> {
    const email = `${name.toLowerCase().replace(/\W+/g, "-")}-${randomUUID().slice(0, 8)}@example.com`;
    const data = await this.must(undefined, "mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }", {
      input: { name, email, password: PASSWORD },
    });
    const id = data.register.user.id as string;
    if (role !== "STUDENT") await this.must(adminToken, "mutation($id: ID!, $role: UserRole!) { setUserRole(userId: $id, role: $role) { id } }", { id, role });
    return { id, email, name, token: data.register.accessToken as string };
  }
}

export function code(result: Result): unknown {
  return result.errors?.[0]?.extensions?.code;
}

export function reason(result: Result): unknown {
  return result.errors?.[0]?.extensions?.reason;
}

export const MATERIAL = [
  "Tides are the regular rise and fall of the sea caused by the gravity of the Moon and the Sun acting on the rotating Earth.",
  "Spring tides happen when the Sun and the Moon line up, and neap tides when they pull at right angles to each other.",
];

export const QUESTIONS = [
  { type: "SINGLE_CHOICE", prompt: "What mostly causes the tides?", options: ["The Moon", "The wind", "Whales"], correctOptions: [0], explanation: "The Moon's gravity." },
  { type: "SINGLE_CHOICE", prompt: "When do spring tides happen?", options: ["Sun and Moon in line", "At right angles", "In spring only"], correctOptions: [0], explanation: "In line." },
];

/** A private course of `token`'s with two chapters and a quiz on it. */
export async function privateCourse(api: Api, token: string, title = "Private tides"): Promise<{ courseId: string; chapterIds: string[]; quizId: string; questionIds: string[] }> {
  const course = await api.must(token, "mutation($input: CreateCourseInput!) { createCourse(input: $input) { id } }", { input: { title, level: "BEGINNER" } });
  const courseId = course.createCourse.id as string;
  const chapterIds: string[] = [];
  for (const [i, content] of MATERIAL.entries()) {
    const chapter = await api.must(token, "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", {
      input: { courseId, title: `Tides ${i + 1}`, content, durationMinutes: 5 },
    });
    chapterIds.push(chapter.addChapter.id as string);
  }
  const quiz = await api.must(token, "mutation($input: CreateQuizInput!) { createQuiz(input: $input) { id questions { id } } }", {
    input: { title: `${title} quiz`, courseId, questions: QUESTIONS },
  });
  return { courseId, chapterIds, quizId: quiz.createQuiz.id, questionIds: quiz.createQuiz.questions.map((q: { id: string }) => q.id) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sleeps until `at` (plus a margin), so a due date has certainly passed. */
export async function until(at: Date, marginMs = 300): Promise<void> {
  const wait = at.getTime() - Date.now() + marginMs;
  if (wait > 0) await sleep(wait);
}

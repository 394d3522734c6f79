import { randomUUID } from "node:crypto";
import { EJSON } from "bson";
import type { Db } from "mongodb";
import type { GraphQLFormattedError } from "graphql";

export interface Answer {
  data?: Record<string, any> | null;
  errors?: GraphQLFormattedError[];
}

export const PASSWORD = "deletion password 1";

/** One GraphQL call over HTTP, as a client sends it. */
export async function call(graphqlUrl: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Answer;
}

/** The data of a call that must succeed. */
export async function must(graphqlUrl: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const answer = await call(graphqlUrl, token, query, variables);
  if (answer.errors?.length || !answer.data) throw new Error(`${query}\n${JSON.stringify(answer.errors)}`);
  return answer.data;
}

export const codeOf = (answer: Answer) => answer.errors?.[0]?.extensions?.code;
export const reasonOf = (answer: Answer) => answer.errors?.[0]?.extensions?.reason;

export interface Person {
  id: string;
  email: string;
  accessToken: string;
  refreshToken: string;
}

export async function register(graphqlUrl: string, name: string): Promise<Person> {
  const email = `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
  const data = await must(graphqlUrl, undefined, "mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id } } }", {
    input: { name, email, password: PASSWORD },
  });
  return { id: data.register.user.id, email, accessToken: data.register.accessToken, refreshToken: data.register.refreshToken };
}

export async function signIn(graphqlUrl: string, email: string, password = PASSWORD): Promise<Person> {
  const data = await must(graphqlUrl, undefined, "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }", {
    input: { email, password },
  });
  return { id: data.login.user.id, email, accessToken: data.login.accessToken, refreshToken: data.login.refreshToken };
}

/** A text upload of `token`'s, once ingested. */
export async function uploaded(graphqlUrl: string, token: string, text: string): Promise<string> {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query: "mutation($file: Upload!) { uploadFile(file: $file) { id } }", variables: { file: null } }));
  form.append("map", JSON.stringify({ 0: ["variables.file"] }));
  form.append("0", new Blob([text], { type: "text/plain" }), "notes.txt");
  const response = await fetch(graphqlUrl, { method: "POST", headers: { "apollo-require-preflight": "true", authorization: `Bearer ${token}` }, body: form });
  const body = (await response.json()) as Answer;
  const id = body.data?.uploadFile?.id as string | undefined;
  if (!id) throw new Error(`upload failed: ${JSON.stringify(body.errors)}`);
  for (let i = 0; i < 400; i++) {
    const data = await must(graphqlUrl, token, "query($id: ID!) { upload(id: $id) { status } }", { id });
    if (data.upload.status === "READY") return id;
    if (data.upload.status === "FAILED") throw new Error("the upload failed to ingest");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the upload never finished ingesting");
}

/**
 * How many documents of each collection name the user anywhere (their id or e-mail address in
 * any field, at any depth): only collections with at least one appear.
 */
export async function rowsNaming(db: Db, user: { id: string; email: string }): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (name.startsWith("system.") || name.endsWith(".chunks")) continue;
    let count = 0;
    for await (const doc of db.collection(name).find({})) {
      const text = EJSON.stringify(doc, { relaxed: false });
      if (text.includes(user.id) || text.toLowerCase().includes(user.email.toLowerCase())) count++;
    }
    if (count > 0) counts[name] = count;
  }
  return counts;
}

/** The matrix world's material and quiz: what the offline provider writes chapters, quizzes and answers from. */
export { MATERIAL, QUESTIONS } from "../hardening/authorization/world";

import { randomUUID } from "node:crypto";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { LoginDocument, RegisterDocument, type RegisterMutation } from "../generated/graphql";

/** Low bcrypt cost keeps the suite fast; production keeps the default 12. */
export const ACCOUNTS_ENV = { BCRYPT_COST: "4" };

export const PASSWORD = "correct horse battery";

export type Gql = ReturnType<typeof graphqlClient>;
export type Session = RegisterMutation["register"];

/** A fresh address each call, so tests in one file never collide. */
export function uniqueEmail(label = "user"): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

export async function registerUser(gql: Gql, overrides: { name?: string; email?: string; password?: string } = {}): Promise<Session> {
  const input = { name: "Ada Lovelace", email: uniqueEmail(), password: PASSWORD, ...overrides };
  const response = await gql(RegisterDocument, { input });
  if (!response.data) throw new Error(`register failed: ${JSON.stringify(response.errors)}`);
  return response.data.register;
}

export async function login(gql: Gql, email: string, password = PASSWORD): Promise<Session> {
  const response = await gql(LoginDocument, { input: { email, password } });
  if (!response.data) throw new Error(`login failed: ${JSON.stringify(response.errors)}`);
  return response.data.login;
}

export { errorCode };

/**
 * Records the body of every response fetched while installed, so a test file can assert that
 * no answer, success or error, ever carried a password hash.
 */
export function recordResponses(): { bodies: string[]; restore(): void } {
  const original = globalThis.fetch;
  const bodies: string[] = [];
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const response = await original(...args);
    bodies.push(await response.clone().text());
    return response;
  };
  return {
    bodies,
    restore: () => {
      globalThis.fetch = original;
    },
  };
}

/** `password_hash` by name, or anything shaped like a bcrypt hash. */
export const SECRET_LEAK = /password_hash|passwordHash|\$2[aby]\$\d\d\$/;

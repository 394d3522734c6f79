import { LoginDocument } from "../generated/graphql";
import { graphqlClient } from "./graphql";
import type { TestServer } from "./server";

/** Settings that make a test server create this admin at start-up; spread them into its env. */
export const ADMIN_ENV = { ADMIN_EMAIL: "diagnostics-admin@example.com", ADMIN_PASSWORD: "admin password 1" };

/** An access token of the ADMIN_ENV admin, for admin-only fields such as the `ping` diagnostics. */
export async function adminToken(server: TestServer): Promise<string> {
  const response = await graphqlClient(server.graphqlUrl)(LoginDocument, {
    input: { email: ADMIN_ENV.ADMIN_EMAIL, password: ADMIN_ENV.ADMIN_PASSWORD },
  });
  const token = response.data?.login.accessToken;
  if (!token) throw new Error(`admin sign-in failed: ${JSON.stringify(response.errors)}`);
  return token;
}

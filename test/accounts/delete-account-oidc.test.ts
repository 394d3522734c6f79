import mongoose, { Types } from "mongoose";
import { ADMIN_ENV } from "../helpers/admin";
import { startTestProvider, type TestProvider } from "../helpers/oidc-provider";
import { startTestServer, type TestServer } from "../helpers/server";
import { call, codeOf, reasonOf } from "./delete-account-support";
import { FRONTEND, oidcSession, providerEntry, registerClients } from "./oidc-support";
import { ACCOUNTS_ENV } from "./support";

/**
 * An account that signs in only through a provider has no password to type: it confirms its
 * deletion by having signed in within the last 10 minutes, in the session that asks.
 */
jest.setTimeout(60_000);

let provider: TestProvider;
let server: TestServer;

beforeAll(async () => {
  provider = await startTestProvider();
  server = await startTestServer({
    ...ACCOUNTS_ENV,
    ...ADMIN_ENV,
    OIDC_PROVIDERS: JSON.stringify([providerEntry("school", provider.issuer, { name: "School" })]),
    OIDC_REDIRECT_ALLOWLIST: FRONTEND,
  });
  await registerClients(provider, server, [{ id: "school" }], {
    leaver: { email: "leaver@school.test", email_verified: true, name: "Leaver" },
    lingerer: { email: "lingerer@school.test", email_verified: true, name: "Lingerer" },
  });
});

afterAll(async () => {
  await server?.stop();
  await provider?.stop();
});

const me = (token: string) => call(server.graphqlUrl, token, "query { me { id identities { provider } } }");

it("deletes a provider-only account right after a sign-in, with its link: the next sign-in is a new account", async () => {
  const session = await oidcSession(server, "school", "leaver");
  expect((await me(session.accessToken)).data?.me.identities).toEqual([{ provider: "school" }]);
  expect((await call(server.graphqlUrl, session.accessToken, "mutation { deleteAccount }")).data).toEqual({ deleteAccount: true });
  expect(codeOf(await me(session.accessToken))).toBe("UNAUTHENTICATED");
  expect(await mongoose.connection.db!.collection("user_identities").countDocuments({ user_id: new Types.ObjectId(session.user.id) })).toBe(0);

  const again = await oidcSession(server, "school", "leaver");
  expect(again.user.id).not.toBe(session.user.id);
});

it("refuses a session signed in longer ago, and accepts once the user signs in again", async () => {
  const stale = await oidcSession(server, "school", "lingerer");
  // The session began 11 minutes ago, as its stored tokens would say after that long.
  await mongoose.connection.db!.collection("refresh_tokens").updateMany(
    { user_id: new Types.ObjectId(stale.user.id) },
    { $set: { created_at: new Date(Date.now() - 11 * 60_000) } },
  );
  const refused = await call(server.graphqlUrl, stale.accessToken, "mutation { deleteAccount }");
  expect([codeOf(refused), reasonOf(refused)]).toEqual(["FORBIDDEN", "recent_sign_in_required"]);
  expect((await me(stale.accessToken)).data?.me.id).toBe(stale.user.id);

  const fresh = await oidcSession(server, "school", "lingerer");
  expect(fresh.user.id).toBe(stale.user.id);
  expect((await call(server.graphqlUrl, fresh.accessToken, "mutation { deleteAccount }")).data).toEqual({ deleteAccount: true });
  expect(codeOf(await me(stale.accessToken))).toBe("UNAUTHENTICATED");
});

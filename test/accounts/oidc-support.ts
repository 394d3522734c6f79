import { graphqlClient } from "../helpers/graphql";
import { Browser, type TestClient, type TestProvider } from "../helpers/oidc-provider";
import type { TestServer } from "../helpers/server";
import { SignInWithCodeDocument } from "../generated/graphql";

/** The frontend page the API may send browsers back to (OIDC_REDIRECT_ALLOWLIST). */
export const FRONTEND = "https://app.example/auth/done";

/** Where a sign-in ended: the frontend URL the API sent the browser to, or the API's own refusal. */
export interface Landing {
  /** Set when the browser was sent on to the frontend. */
  frontend?: URL;
  /** The API's answer when it refused to send the browser anywhere. */
  status: number;
  body?: string;
}

/** One provider entry of OIDC_PROVIDERS. */
export function providerEntry(id: string, issuer: string, extra: Record<string, unknown> = {}) {
  return { id, name: `Provider ${id}`, issuer, clientId: `${id}-client`, clientSecret: `${id}-secret`, ...extra };
}

export function callbackUrl(server: TestServer, id: string): string {
  return `${server.url}/api/v1/auth/oidc/${id}/callback`;
}

const isCallback = (server: TestServer) => (url: URL) => url.href.startsWith(`${server.url}/api/v1/auth/oidc/`) && url.pathname.endsWith("/callback");

/**
 * A person in a fresh browser: opens the API's start URL, is sent to the provider, types the
 * account id into its sign-in form, and comes back. With `stopAtCallback`, stops before visiting
 * the API's callback and returns its URL.
 */
export async function signInAt(
  server: TestServer,
  providerId: string,
  account: string,
  options: { redirectTo?: string; browser?: Browser; stopAtCallback?: boolean } = {},
): Promise<{ landing: Landing; callback?: URL; browser: Browser }> {
  const browser = options.browser ?? new Browser();
  const start = `${server.url}/api/v1/auth/oidc/${providerId}/start?redirect_to=${encodeURIComponent(options.redirectTo ?? FRONTEND)}`;
  const stop = options.stopAtCallback ? isCallback(server) : () => false;
  const opened = await browser.navigate(start, {}, stop);
  if (opened.next) {
    // A provider that still knows this browser sends it straight back.
    if (isCallback(server)(opened.next)) return { landing: { status: opened.response.status }, callback: opened.next, browser };
    return { landing: { frontend: opened.next, status: opened.response.status }, browser };
  }
  if (opened.response.status !== 200 || !opened.url.includes("/interaction/")) {
    return { landing: { status: opened.response.status, body: await opened.response.text() }, browser };
  }
  const submitted = await browser.navigate(opened.url, { method: "POST", body: new URLSearchParams({ login: account }).toString() }, stop);
  if (!submitted.next) throw new Error(`the sign-in ended at ${submitted.url} with ${submitted.response.status}: ${await submitted.response.text()}`);
  if (isCallback(server)(submitted.next)) return { landing: { status: submitted.response.status }, callback: submitted.next, browser };
  return { landing: { frontend: submitted.next, status: submitted.response.status }, browser };
}

/** Visits the API's callback URL in `browser`, as the provider's redirect would. */
export async function visitCallback(browser: Browser, url: URL | string): Promise<Landing> {
  const { response, next } = await browser.navigate(String(url));
  if (next) return { frontend: next, status: response.status };
  return { status: response.status, body: await response.text() };
}

/** A full sign-in through to a session: the code from the frontend URL exchanged by the mutation. */
export async function oidcSession(server: TestServer, providerId: string, account: string) {
  const { landing } = await signInAt(server, providerId, account);
  const code = landing.frontend?.searchParams.get("sign_in_code");
  if (!code) throw new Error(`no sign-in code: ${landing.frontend?.href ?? landing.body}`);
  const response = await graphqlClient(server.graphqlUrl)(SignInWithCodeDocument, { code });
  if (!response.data) throw new Error(`signInWithCode failed: ${JSON.stringify(response.errors)}`);
  return response.data.signInWithCode;
}

/** Registers each test client of the API's providers at the test provider, with its callback URL. */
export async function registerClients(
  provider: TestProvider,
  server: TestServer,
  clients: { id: string; tamper?: TestClient["tamper"] }[],
  accounts: Parameters<TestProvider["configure"]>[0]["accounts"],
  options: { claimsInUserInfo?: boolean } = {},
): Promise<void> {
  await provider.configure({
    ...options,
    clients: clients.map(({ id, tamper }) => ({
      client_id: `${id}-client`,
      client_secret: `${id}-secret`,
      redirect_uris: [callbackUrl(server, id)],
      ...(tamper ? { tamper } : {}),
    })),
    accounts,
  });
}

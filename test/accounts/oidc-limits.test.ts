import { startTestProvider, type TestProvider } from "../helpers/oidc-provider";
import { startTestServer, type TestServer } from "../helpers/server";
import { FRONTEND, providerEntry } from "./oidc-support";
import { ACCOUNTS_ENV } from "./support";

let provider: TestProvider;
let server: TestServer;

beforeAll(async () => {
  provider = await startTestProvider();
  await provider.configure({ clients: [], accounts: {} });
  server = await startTestServer({
    ...ACCOUNTS_ENV,
    AUTH_RATE_LIMIT_REQUESTS: "2",
    OIDC_PROVIDERS: JSON.stringify([providerEntry("school", provider.issuer)]),
    OIDC_REDIRECT_ALLOWLIST: FRONTEND,
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await provider?.stop();
});

it("counts each provider sign-in start against the address's sign-in limit; past it the browser goes back with rate_limited", async () => {
  const start = `${server.url}/api/v1/auth/oidc/school/start?redirect_to=${encodeURIComponent(FRONTEND)}`;
  for (let i = 0; i < 2; i++) {
    const allowed = await fetch(start, { redirect: "manual" });
    expect(new URL(allowed.headers.get("location")!).origin).toBe(provider.issuer);
  }
  const refused = new URL((await fetch(start, { redirect: "manual" })).headers.get("location")!);
  expect(refused.origin + refused.pathname).toBe(FRONTEND);
  expect(refused.searchParams.get("error")).toBe("rate_limited");
  expect(refused.searchParams.get("error_description")).toMatch(/Too many sign-up or sign-in attempts/);
  expect(Number(refused.searchParams.get("retry_after"))).toBeGreaterThan(0);
});

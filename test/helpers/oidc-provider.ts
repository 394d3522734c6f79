import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { join } from "node:path";

/** A claim set the test provider signs in as, by account id. */
export type TestAccount = { email?: string; email_verified?: boolean; name?: string; groups?: string[] };

export interface TestClient {
  client_id: string;
  client_secret: string;
  redirect_uris: string[];
  /** Re-sign this client's ID tokens with one thing wrong (see oidc-provider-process.mjs). */
  tamper?: "iss" | "aud" | "nonce" | "expired" | "foreignKey";
}

export interface TestProvider {
  issuer: string;
  /**
   * Registers the clients and accounts; the provider answers only after this. With
   * `claimsInUserInfo`, the ID token carries no e-mail, name or groups: only UserInfo does.
   */
  configure(setup: { clients: TestClient[]; accounts: Record<string, TestAccount>; claimsInUserInfo?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real `oidc-provider` in a child process on a free loopback port (see
 * oidc-provider-process.mjs for why a process of its own).
 */
export async function startTestProvider(): Promise<TestProvider> {
  const child: ChildProcess = fork(join(__dirname, "oidc-provider-process.mjs"), [], {
    // Its "unsupported runtime" notice on Node 20 is noise here; kept only to explain a provider
    // that died or never answered.
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const reply = () => nextMessage(child, () => stderr);
  const first = (await reply()) as { issuer: string };
  return {
    issuer: first.issuer,
    async configure(setup) {
      child.send(setup);
      await reply();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill();
      await exited;
    },
  };
}

/** Longer than the provider needs on a busy machine by far; a failed start says why instead of hanging the hook. */
const PROVIDER_REPLY_MS = 30_000;

function nextMessage(child: ChildProcess, stderr: () => string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      settle();
      reject(new Error(`test OpenID provider ${why}; its stderr:\n${stderr() || "(empty)"}`));
    };
    const onMessage = (message: unknown) => {
      settle();
      resolve(message);
    };
    const onExit = (code: number | null, signal: string | null) => fail(`exited (code ${code}, signal ${signal})`);
    const onError = (error: Error) => fail(`failed: ${error.message}`);
    const timer = setTimeout(() => fail(`did not answer within ${PROVIDER_REPLY_MS} ms`), PROVIDER_REPLY_MS);
    const settle = () => {
      clearTimeout(timer);
      child.off("message", onMessage).off("exit", onExit).off("error", onError);
    };
    child.on("message", onMessage).on("exit", onExit).on("error", onError);
  });
}

/** An address on loopback where nothing listens: a provider that is down. */
export async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/**
 * A browser as far as sign-in needs one: a cookie jar per host and redirects followed by hand
 * (fetch's own following would drop the cookies set on the way), stopping at the first answer
 * that is not a redirect or whose redirect leaves loopback (the frontend).
 */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  /**
   * Follows redirects from `url`; returns the last response and the URL it came from, or, when
   * `stopBefore` accepts the next URL, that URL unvisited (`response` is the redirect to it).
   */
  async navigate(
    url: string,
    init: { method?: string; body?: string } = {},
    stopBefore: (next: URL) => boolean = () => false,
  ): Promise<{ url: string; response: Response; next?: URL }> {
    let current = url;
    let request = init;
    for (let hops = 0; hops < 20; hops++) {
      const response = await this.fetch(current, request);
      const location = response.headers.get("location");
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      const next = new URL(location, current);
      if (next.hostname !== "127.0.0.1" || stopBefore(next)) return { url: current, response, next };
      current = next.toString();
      request = {};
    }
    throw new Error(`too many redirects from ${url}`);
  }

  /** One request with this browser's cookies for the host, keeping those it sets. */
  async fetch(url: string, init: { method?: string; body?: string } = {}): Promise<Response> {
    const { host } = new URL(url);
    const jar = this.jars.get(host) ?? new Map<string, string>();
    this.jars.set(host, jar);
    const headers: Record<string, string> = {};
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    if (init.body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
    const response = await fetch(url, { method: init.method ?? "GET", body: init.body, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair, ...attributes] = cookie.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || /expires=thu, 01 jan 1970/i.test(attribute));
      if (expired || value === "") jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }
}

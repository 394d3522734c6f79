import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { startTestServer, type TestServer } from "../helpers/server";

// The Chromium that test/setup/global-setup.ts found or installed; puppeteer-core never downloads a browser.
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

// Evaluated in the page (so a string: this file is compiled without the DOM's types). Monaco
// draws spaces as no-break spaces.
const RESULT_TEXT = `(document.querySelector(".graphiql-response .result-window")?.innerText ?? "").replace(/\\u00a0/g, " ")`;

let server: TestServer;
let browser: Browser;
let profileDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No browser at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`);
  }
  server = await startTestServer();
  profileDir = mkdtempSync(join(tmpdir(), "ide-chromium-"));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profileDir}`,
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
});

/** Every request the page makes; any leaving the server is refused, as it would fail offline. */
async function openOffline(page: Page, origin: string): Promise<{ outside: string[]; inside: string[] }> {
  const seen = { outside: [] as string[], inside: [] as string[] };
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = request.url();
    // Inline data (an icon, a font) is part of the page, not a request to anyone.
    if (url.startsWith("data:")) return void request.continue();
    if (new URL(url).origin === origin) {
      seen.inside.push(url);
      return void request.continue();
    }
    seen.outside.push(url);
    return void request.abort("internetdisconnected");
  });
  return seen;
}

it("runs { __typename } in the bundled GraphiQL, with every request going to this server", async () => {
  const page = await browser.newPage();
  const requests = await openOffline(page, new URL(server.url).origin);
  await page.goto(server.graphqlUrl, { waitUntil: "load" });

  // The query editor is Monaco: focus it, replace its text, run the operation.
  const editor = ".graphiql-query-editor .monaco-editor";
  await page.waitForSelector(editor, { timeout: 30_000 });
  await page.click(editor);
  await page.keyboard.down("Control");
  await page.keyboard.press("KeyA");
  await page.keyboard.up("Control");
  await page.keyboard.press("Backspace");
  await page.keyboard.type("{ __typename");
  await page.click(".graphiql-execute-button");

  await page.waitForFunction(`/"__typename":\\s*"Query"/.test(${RESULT_TEXT})`, { timeout: 30_000 });
  expect(JSON.parse((await page.evaluate(RESULT_TEXT)) as string)).toEqual({ data: { __typename: "Query" } });

  expect(requests.outside).toEqual([]);
  expect(requests.inside).toContain(`${server.url}/ide/ruru.js`);
  await page.close();
}, 90_000);

import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { loadConfig } from "../../src/config";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestServer, type TestServer } from "../helpers/server";

const openInBrowser = (server: TestServer) => fetch(server.graphqlUrl, { headers: { accept: "text/html" } });

describe("GRAPHQL_IDE", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), "ide-config-"));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it("defaults to the bundled GraphiQL outside production and to none in production", () => {
    expect(loadConfig({ DATA_DIR: dataDir }).graphql.ide).toBe("graphiql");
    const production = { NODE_ENV: "production", DATA_DIR: dataDir, MONGODB_URL: "mongodb://db:27017", JWT_SECRET_KEY: "x".repeat(32) };
    expect(loadConfig(production).graphql).toMatchObject({ ide: "none", introspection: false });
    // An IDE enabled in production gets the schema it documents, unless introspection is turned off.
    expect(loadConfig({ ...production, GRAPHQL_IDE: "graphiql" }).graphql).toMatchObject({ ide: "graphiql", introspection: true });
    expect(loadConfig({ ...production, GRAPHQL_IDE: "Sandbox", GRAPHQL_INTROSPECTION: "false" }).graphql).toMatchObject({
      ide: "sandbox",
      introspection: false,
    });
  });

  it("refuses other values, naming the variable", () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, GRAPHQL_IDE: "playground" })).toThrow(
      /GRAPHQL_IDE must be one of graphiql, sandbox, none \(got "playground"\)/,
    );
  });
});

describe("the bundled GraphiQL (default outside production)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("serves its page to browsers at /graphql, loading scripts and styles from this server only", async () => {
    const response = await openInBrowser(server);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('"/ide/ruru.js"');
    expect(html).toContain('href="/ide/ruru.css"');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toMatch(/import .*"https?:/);
  });

  it("sends a CSP that allows only this origin and the page's own nonce", async () => {
    const response = await openInBrowser(server);
    const csp = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
    const html = await response.text();
    const scripts = html.match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    // A fresh nonce per page.
    const again = (await openInBrowser(server)).headers.get("content-security-policy");
    expect(again).not.toBe(csp);
  });

  it("serves its assets from /ide/", async () => {
    const script = await fetch(`${server.url}/ide/ruru.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect((await script.text()).length).toBeGreaterThan(100_000);
    expect((await fetch(`${server.url}/ide/no-such-file.js`)).status).toBe(404);
  });

  it("leaves GraphQL requests to the API", async () => {
    const response = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { accept: "application/json", "apollo-require-preflight": "true" },
    });
    expect(await response.json()).toEqual({ data: { __typename: "Query" } });
  });
});

describe("GRAPHQL_IDE=sandbox", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ GRAPHQL_IDE: "sandbox" });
  });
  afterAll(async () => {
    await server.stop();
  });

  it("serves Apollo Sandbox (which loads from Apollo's CDN) and not the bundled IDE", async () => {
    const html = await (await openInBrowser(server)).text();
    expect(html).toContain("embeddable-sandbox.cdn.apollographql.com");
    expect(html).not.toContain("/ide/ruru.js");
    expect((await fetch(`${server.url}/ide/ruru.js`)).status).toBe(404);
  });
});

describe("in production", () => {
  let mongo: EmbeddedMongo;
  const production = () => ({ NODE_ENV: "production", MONGODB_URL: mongo.uri, JWT_SECRET_KEY: "production-secret-with-at-least-32-chars" });
  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ port: 0 });
  });
  afterAll(async () => {
    await mongo.stop();
  });

  it("serves no IDE by default, and tells a browser so instead of refusing it as a CSRF risk", async () => {
    const server = await startTestServer({ ...production(), DATABASE_NAME: "ide_off" });
    try {
      const response = await openInBrowser(server);
      expect(response.status).toBe(404);
      const html = await response.text();
      expect(html).toContain("GraphQL IDE disabled");
      expect(html).toContain("GRAPHQL_IDE=graphiql");
      expect(html).not.toContain("ruru");
      // A GraphQL GET (it carries `query`) is still the API's, CSRF prevention included.
      expect((await fetch(`${server.graphqlUrl}?query=%7B__typename%7D`, { headers: { accept: "text/html" } })).status).toBe(400);
      expect(html).not.toContain("apollographql.com");
      expect((await fetch(`${server.url}/ide/ruru.js`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it("serves the bundled GraphiQL when GRAPHQL_IDE=graphiql", async () => {
    const server = await startTestServer({ ...production(), DATABASE_NAME: "ide_on", GRAPHQL_IDE: "graphiql" });
    try {
      const response = await openInBrowser(server);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('"/ide/ruru.js"');
    } finally {
      await server.stop();
    }
  });
});

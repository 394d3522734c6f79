import { randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import express, { Router } from "express";
import { ruruHTML, type RuruClientConfig } from "ruru/server";
import { GRAPHQL_PATH, wantsPage } from "./browser";

/** Where the IDE's scripts, styles, workers and font are served from; never a CDN. */
export const IDE_ASSETS_PATH = "/ide/";

/**
 * The prebuilt files inside the ruru package. Served from disk rather than through ruru's own
 * in-memory middleware, which loads them with a dynamic import that jest's module loader refuses.
 */
const ASSETS_DIR = join(dirname(require.resolve("ruru/server")), "..", "static");

const WELCOME = `# Welcome to the AI Learning Platform API.
#
# Sign in with the login mutation (or register first), then open "Headers" below and add
#   { "Authorization": "Bearer <accessToken>" }
# Subscriptions run over websockets on the same /graphql path, with the same headers.
# The book icon on the left opens the documentation of every type and field.

{
  __typename
}
`;

/**
 * ruru: GraphiQL with its editors, doc explorer, headers editor and a graphql-ws client, prebuilt
 * into static files inside the npm package, so the page works with no internet. `nonce` marks
 * every script as ours for the page's CSP; the markup is built once.
 */
function pageTemplate(): (nonce: string) => string {
  const html = ruruHTML({
    endpoint: GRAPHQL_PATH,
    // A path, not a URL: ruru then derives ws(s)://<this host>/graphql from the page's location.
    subscriptionEndpoint: GRAPHQL_PATH,
    staticPath: IDE_ASSETS_PATH,
    // The cast: under node10 module resolution GraphiQL's prop types are `any`, and so required.
    clientConfig: { defaultQuery: WELCOME, isHeadersEditorEnabled: true } as RuruClientConfig,
    htmlParts: {
      titleTag: "<title>AI Learning Platform API: GraphiQL</title>",
      // An empty icon: otherwise every visit asks for a /favicon.ico this server does not have.
      metaTags: (original) => `${original}\n<link rel="icon" href="data:," />`,
    },
  });
  const parts = html.split("<script");
  return (nonce) => parts.join(`<script nonce="${nonce}"`);
}

/**
 * Scripts only from this server (and the page's own, by nonce); styles inline too, since the
 * editor injects its own; workers are this server's files; requests only to this origin,
 * websockets included.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join("; ");
}

/** `GET /graphql` from a browser: the IDE page; `GET /ide/*`: its assets. */
export function graphiqlRoutes(): Router {
  const page = pageTemplate();
  const router = Router();
  router.get(GRAPHQL_PATH, (req, res, next) => {
    if (!wantsPage(req)) return next();
    const nonce = randomBytes(16).toString("base64");
    res.setHeader("content-security-policy", contentSecurityPolicy(nonce));
    res.setHeader("cache-control", "no-store");
    res.type("html").send(page(nonce));
  });
  router.use(IDE_ASSETS_PATH, express.static(ASSETS_DIR, { index: false, redirect: false }));
  return router;
}

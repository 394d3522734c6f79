import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { Router } from "express";
import { ConfigError, type GraphQLIde } from "../../config";
import { GRAPHQL_PATH, wantsPage } from "./browser";

/**
 * Routes of the IDE this server hosts itself: the bundled GraphiQL, or a page saying there is none
 * (a browser would otherwise meet Apollo's CSRF refusal of a GET without a preflight header).
 */
export function ideRoutes(ide: GraphQLIde): Router {
  if (ide === "graphiql") return loadGraphiql().graphiqlRoutes();
  return ide === "none" ? disabledPage() : Router();
}

/**
 * The bundled GraphiQL comes from `ruru` (with its editor, a quarter of a gigabyte), a development
 * dependency that production installs and the Docker image leave out: it is loaded only when
 * GRAPHQL_IDE asks for it.
 */
function loadGraphiql(): typeof import("./graphiql") {
  try {
    require.resolve("ruru/server");
  } catch {
    throw new ConfigError(
      "Invalid configuration: GRAPHQL_IDE=graphiql needs the package ruru, which a production installation leaves out " +
        "(npm ci --omit=dev, as in the Docker image): install it with `npm install ruru`, or set GRAPHQL_IDE=none",
    );
  }
  return require("./graphiql") as typeof import("./graphiql");
}

const DISABLED_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphQL IDE disabled</title></head>
<body>
<h1>GraphQL IDE disabled</h1>
<p>This server serves no browser IDE (<code>GRAPHQL_IDE=none</code>, the default in production).
Its GraphQL endpoint is here, at <code>${GRAPHQL_PATH}</code>: send operations with
<code>POST</code> and <code>Content-Type: application/json</code>, or with <code>GET</code> and an
<code>apollo-require-preflight: true</code> header.</p>
<p>To serve the bundled GraphiQL, set <code>GRAPHQL_IDE=graphiql</code>.</p>
</body></html>
`;

function disabledPage(): Router {
  const router = Router();
  router.get(GRAPHQL_PATH, (req, res, next) => {
    if (!wantsPage(req)) return next();
    res.status(404).type("html").send(DISABLED_PAGE);
  });
  return router;
}

/**
 * Apollo's landing page: Sandbox (its page loads Apollo's CDN, so it needs internet) when chosen;
 * otherwise none, so that `GET /graphql` from a browser reaches the bundled IDE or the page above.
 */
export function landingPagePlugin(ide: GraphQLIde): ApolloServerPlugin {
  return ide === "sandbox"
    ? ApolloServerPluginLandingPageLocalDefault({ footer: false, includeCookies: false })
    : ApolloServerPluginLandingPageDisabled();
}

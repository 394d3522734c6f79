import type { ApolloServerPlugin } from "@apollo/server";
import { ApolloServerPluginLandingPageDisabled } from "@apollo/server/plugin/disabled";
import { ApolloServerPluginLandingPageLocalDefault } from "@apollo/server/plugin/landingPage/default";
import { Router } from "express";
import type { GraphQLIde } from "../../config";
import { graphiqlRoutes } from "./graphiql";

/** Routes of the IDE this server hosts itself: the bundled GraphiQL, or none. */
export function ideRoutes(ide: GraphQLIde): Router {
  return ide === "graphiql" ? graphiqlRoutes() : Router();
}

/**
 * Apollo's landing page: Sandbox (its page loads Apollo's CDN, so it needs internet) when chosen;
 * otherwise none, so that `GET /graphql` from a browser reaches the bundled IDE or nothing.
 */
export function landingPagePlugin(ide: GraphQLIde): ApolloServerPlugin {
  return ide === "sandbox"
    ? ApolloServerPluginLandingPageLocalDefault({ footer: false, includeCookies: false })
    : ApolloServerPluginLandingPageDisabled();
}

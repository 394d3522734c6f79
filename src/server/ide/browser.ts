import type { Request } from "express";

export const GRAPHQL_PATH = "/graphql";

/** A browser opening the endpoint, as opposed to a GraphQL GET request (which carries `query`). */
export function wantsPage(req: Request): boolean {
  return req.accepts(["json", "html"]) === "html" && req.query.query === undefined;
}

import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * helmet's headers on every response. The IDE page (`GET /graphql` from a browser) brings its
 * own per-page nonce policy: the bundled GraphiQL as a CSP header of its own (src/server/ide),
 * Apollo Sandbox as a CSP meta tag that allows exactly Apollo's CDN. helmet's CSP would be
 * enforced on top of either and block them, so that one page gets every header but CSP.
 */
export function securityHeaders(): RequestHandler {
  const everywhere = helmet();
  const landingPage = helmet({ contentSecurityPolicy: false });
  return (req, res, next) => {
    const isLandingPage = req.method === "GET" && req.path === "/graphql" && req.accepts(["json", "html"]) === "html";
    (isLandingPage ? landingPage : everywhere)(req, res, next);
  };
}

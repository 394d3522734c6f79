import type { RequestHandler } from "express";
import helmet from "helmet";

/**
 * helmet's headers on every response. The landing page (Sandbox in development, a link to
 * Studio in production; `GET /graphql` from a browser) brings its own stricter policy: a
 * per-page nonce in a CSP meta tag that allows exactly Apollo's CDN. A CSP header would be
 * enforced on top of it and block that CDN, so that one page gets every header but CSP.
 */
export function securityHeaders(): RequestHandler {
  const everywhere = helmet();
  const landingPage = helmet({ contentSecurityPolicy: false });
  return (req, res, next) => {
    const isLandingPage = req.method === "GET" && req.path === "/graphql" && req.accepts(["json", "html"]) === "html";
    (isLandingPage ? landingPage : everywhere)(req, res, next);
  };
}

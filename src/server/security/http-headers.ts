import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import helmet, { type HelmetOptions } from "helmet";

/**
 * helmet's headers on every response. The IDE page (`GET /graphql` from a browser) brings its
 * own per-page nonce policy: the bundled GraphiQL as a CSP header of its own (src/server/ide),
 * Apollo Sandbox as a CSP meta tag that allows exactly Apollo's CDN. helmet's CSP would be
 * enforced on top of either and block them, so that one page gets every header but CSP.
 *
 * helmet's headers do not depend on the request: they are taken from it once, and set per
 * response from that list (helmet walks a dozen middlewares per request to set the same values).
 */
export function securityHeaders(): RequestHandler {
  const everywhere = headersOf({});
  const landingPage = headersOf({ contentSecurityPolicy: false });
  return (req, res, next) => {
    const isLandingPage = req.method === "GET" && req.path === "/graphql" && req.accepts(["json", "html"]) === "html";
    for (const [name, value] of isLandingPage ? landingPage : everywhere) res.setHeader(name, value);
    next();
  };
}

/** The headers helmet sets with these options (it removes only `X-Powered-By`, which Express is told not to send). */
function headersOf(options: HelmetOptions): [string, string][] {
  const headers: [string, string][] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => undefined,
  } as unknown as ServerResponse;
  let done = false;
  helmet(options)({} as IncomingMessage, recorder, (error?: unknown) => {
    if (error) throw error;
    done = true;
  });
  // helmet sets its headers synchronously; a version that did otherwise must not leave them out unnoticed.
  if (!done) throw new Error("helmet did not set its headers synchronously");
  return headers;
}

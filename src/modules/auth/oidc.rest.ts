import { randomBytes } from "node:crypto";
import { Router, type Request } from "express";
import type { OidcService } from "./oidc.service";

/** Ties a sign-in attempt to the browser that started it (login CSRF); one per browser, shared by its tabs. */
const BROWSER_COOKIE = "oidc_browser";
const COOKIE_PATH = "/api/v1/auth/oidc";

/**
 * `GET /oidc/:provider/start?redirect_to=…` sends the browser to the provider;
 * `GET /oidc/:provider/callback` is where the provider sends it back, and sends it on to the
 * frontend with a one-time `sign_in_code` (or `error` and `error_description`). Mounted under
 * `/api/v1/auth` by `authRoutes`, whose handler answers refusals as `{"detail": …}`.
 */
export function oidcRoutes(oidc: OidcService, options: { publicUrl?: string; flowSeconds: number }): Router {
  const router = Router();

  const callbackUrl = (req: Request, provider: string) =>
    // req.host follows X-Forwarded-Host only under TRUST_PROXY, like req.protocol.
    `${options.publicUrl ?? `${req.protocol}://${req.host}`}${COOKIE_PATH}/${encodeURIComponent(provider)}/callback`;

  router.get("/:provider/start", async (req, res) => {
    const provider = String(req.params.provider);
    const browser = readCookie(req, BROWSER_COOKIE) ?? randomBytes(32).toString("base64url");
    const location = await oidc.start(provider, req.query.redirect_to, browser, callbackUrl(req, provider), req.ip);
    res.cookie(BROWSER_COOKIE, browser, {
      path: COOKIE_PATH,
      httpOnly: true,
      sameSite: "lax",
      secure: req.secure,
      maxAge: options.flowSeconds * 1000,
    });
    res.set("Cache-Control", "no-store").redirect(302, location);
  });

  router.get("/:provider/callback", async (req, res) => {
    const provider = String(req.params.provider);
    const current = new URL(callbackUrl(req, provider));
    current.search = new URL(req.originalUrl, "http://callback.invalid").search;
    const { location } = await oidc.callback(provider, current, readCookie(req, BROWSER_COOKIE));
    res.set("Cache-Control", "no-store").redirect(302, location);
  });

  return router;
}

function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim() || undefined;
  }
  return undefined;
}

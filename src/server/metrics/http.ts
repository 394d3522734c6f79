import { createHash, timingSafeEqual } from "node:crypto";
import { Router, type RequestHandler } from "express";
import type { Metrics } from "./metrics";

/** Ids in paths (ObjectIds, numbers) would make one route per document. */
const ID_SEGMENT = /^([0-9a-f]{24}|\d+)$/i;

/** Times every request, labelled by a route with its ids replaced by `:id`. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  // One series per method, route and status, looked up by one string: prom-client would sort,
  // check and join the labels again on every request. As many entries as the metric has series.
  const series = new Map<string, { observe(seconds: number): void }>();
  return (req, res, next) => {
    const started = performance.now();
    res.once("finish", () => {
      const seconds = (performance.now() - started) / 1000;
      // Unknown paths are all one route: a scanner's guesses must not become label values.
      const route = res.statusCode === 404 ? "unmatched" : routeOf(req.originalUrl);
      const status = String(res.statusCode);
      const key = `${req.method} ${status} ${route}`;
      let observed = series.get(key);
      if (!observed) series.set(key, (observed = metrics.httpRequestDuration.labels({ method: req.method, route, status })));
      observed.observe(seconds);
    });
    next();
  };
}

function routeOf(url: string): string {
  const path = url.split("?")[0] ?? "/";
  return path
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? ":id" : segment))
    .join("/");
}

/**
 * `GET /metrics` in Prometheus' text format, for `Authorization: Bearer <token>` only (401
 * otherwise). Without a token configured there is no such route.
 */
export function metricsRoute(metrics: Metrics, token: string | undefined): Router {
  const router = Router();
  if (!token) return router;
  const expected = digest(`Bearer ${token}`);
  router.get("/metrics", async (req, res) => {
    // Comparing digests keeps the comparison constant-time whatever the header's length.
    if (!timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) {
      res.status(401).set("www-authenticate", "Bearer").json({ detail: "Not authenticated" });
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

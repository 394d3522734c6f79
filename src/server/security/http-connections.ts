import { createServer, type RequestListener, type Server } from "node:http";
import type { Socket } from "node:net";
import type { Config } from "../../config";
import type { Logger } from "../../lib/logger";

/** How often Node looks for requests past their header or request timeout (its default, 30 s, let a slow header live ~90 s). */
const TIMEOUT_CHECK_MS = 1_000;

/**
 * The HTTP server with timeouts sized for real clients: headers within `headersTimeoutMs` (a
 * browser or SDK sends them in one packet; a slow-header attacker trickles them), a whole request
 * (a 10 MiB upload on a slow link) within `requestTimeoutMs`, idle keep-alive connections closed
 * after `keepAliveTimeoutMs`. Upgraded websockets leave these timers behind; their own limits are in ws.ts.
 */
export function createBoundedHttpServer(app: RequestListener, config: Config["http"], log: Logger): Server {
  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: Math.max(config.requestTimeoutMs, config.headersTimeoutMs),
      keepAliveTimeout: config.keepAliveTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_MS,
    },
    app,
  );
  if (config.maxConnectionsPerIp > 0) capConnectionsPerAddress(server, config.maxConnectionsPerIp, log);
  return server;
}

/**
 * Open TCP connections per peer address (websockets included), counted from accept: past the cap
 * the new connection is dropped before a byte of it is read, so one address holding thousands of
 * slow connections costs the server no more than `max`. Counted by the TCP peer, not
 * X-Forwarded-For: behind a load balancer size it for the balancer's pool, or set 0.
 */
function capConnectionsPerAddress(server: Server, max: number, log: Logger): void {
  const open = new Map<string, number>();
  let refused = 0;
  server.on("connection", (socket: Socket) => {
    const address = socket.remoteAddress ?? "unknown";
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      // One line per 100 refusals: a flood must not flood the log too.
      if (refused++ % 100 === 0) log.warn({ address, max }, "http: connection refused, too many open from this address");
      return;
    }
    open.set(address, count + 1);
    socket.once("close", () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}

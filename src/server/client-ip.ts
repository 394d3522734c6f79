import type { IncomingMessage } from "node:http";
import proxyAddr from "proxy-addr";

/** Express's compiled `trust proxy` setting: whether the address at `hop` (0 = the socket's peer) is a trusted proxy. */
export type TrustProxy = (address: string, hop: number) => boolean;

/**
 * The client address of a request Express does not handle (a websocket upgrade), by the rule
 * Express uses for `req.ip`: `X-Forwarded-For` is read back through trusted proxies only.
 */
export function clientIpBy(trust: TrustProxy): (request: IncomingMessage) => string {
  return (request) => proxyAddr(request, trust);
}

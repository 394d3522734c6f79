import type { IncomingMessage } from "node:http";
import type { WebSocket, WebSocketServer } from "ws";
import type { Logger } from "../../lib/logger";

export interface PendingSocketSettings {
  maxPendingPerIp: number;
  maxInitBytes: number;
  connectionInitTimeoutMs: number;
}

/** What a client sees when its address already has the most sockets waiting for `connection_init`. */
export const TOO_MANY_PENDING = 4429;
/** After the init timeout graphql-ws closes politely; a peer that never answers the close is cut this much later. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Limits for a websocket from its first byte until graphql-ws accepts its `connection_init`
 * (`settled`): per client IP at most `maxPendingPerIp` such sockets, at most `maxInitBytes`
 * received on each (ws buffers a partial frame up to WS_MAX_MESSAGE_BYTES, 1 MiB, otherwise), and
 * cut outright shortly after the init timeout. Before this, each anonymous socket could hold 1 MiB
 * for 35-40 s and the per-IP caps applied only after init.
 */
export class PendingSockets {
  private readonly perIp = new Map<string, number>();
  private readonly pending = new Map<WebSocket, { ip: string; timer: NodeJS.Timeout; stopCounting: () => void }>();

  constructor(
    private readonly settings: PendingSocketSettings,
    private readonly log: Logger,
  ) {}

  /** Registers on the server; `clientIp` is the same address the anonymous socket limit counts by. */
  watch(wsServer: WebSocketServer, clientIp: (request: IncomingMessage) => string): void {
    wsServer.on("connection", (socket, request) => this.opened(socket, request, clientIp(request)));
  }

  /** The socket's `connection_init` was accepted: the limits after init apply from now on. */
  settled(socket: WebSocket): void {
    const entry = this.pending.get(socket);
    if (!entry) return;
    this.pending.delete(socket);
    clearTimeout(entry.timer);
    entry.stopCounting();
    const left = (this.perIp.get(entry.ip) ?? 1) - 1;
    if (left > 0) this.perIp.set(entry.ip, left);
    else this.perIp.delete(entry.ip);
  }

  private opened(socket: WebSocket, request: IncomingMessage, ip: string): void {
    const { maxPendingPerIp, maxInitBytes, connectionInitTimeoutMs } = this.settings;
    const count = this.perIp.get(ip) ?? 0;
    if (count >= maxPendingPerIp) {
      this.log.warn({ ip, maxPendingPerIp }, "websocket: refused, too many sockets waiting for connection_init from this address");
      socket.close(TOO_MANY_PENDING, "Too many connections waiting for connection_init");
      setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
      return;
    }
    this.perIp.set(ip, count + 1);
    // Bytes on the TCP socket, so a frame still arriving counts before ws has parsed any of it.
    let received = 0;
    const tcp = request.socket;
    const counted = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxInitBytes) {
        this.log.warn({ ip, received, maxInitBytes }, "websocket: cut, too many bytes before connection_init");
        socket.terminate();
      }
    };
    tcp.on("data", counted);
    const timer = setTimeout(() => socket.terminate(), connectionInitTimeoutMs + CLOSE_GRACE_MS);
    timer.unref();
    this.pending.set(socket, { ip, timer, stopCounting: () => tcp.off("data", counted) });
    socket.once("close", () => this.settled(socket));
  }
}

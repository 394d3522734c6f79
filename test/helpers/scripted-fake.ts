import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * What a fake AI service answers, per test: replies queued per task in order, then the task's
 * changed default, then the fake's own (the fake-gemini and fake-openai servers).
 */
export class ReplyScript<Task, Reply> {
  private readonly queues = new Map<Task, Reply[]>();
  private readonly defaults = new Map<Task, Reply>();

  enqueue(task: Task, ...replies: Reply[]): void {
    this.queues.set(task, [...(this.queues.get(task) ?? []), ...replies]);
  }

  setDefault(task: Task, reply: Reply): void {
    this.defaults.set(task, reply);
  }

  next(task: Task, fallback: () => Reply): Reply {
    return this.queues.get(task)?.shift() ?? this.defaults.get(task) ?? fallback();
  }

  reset(): void {
    this.queues.clear();
    this.defaults.clear();
  }
}

/** Listens on a free loopback port; returns it. */
export async function listenLocally(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Closes the server without waiting for its clients' keep-alive connections. */
export async function closeNow(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Settles when the exchange ends: `aborted` if the client closed the connection first. */
export function endOf(res: ServerResponse): Promise<"completed" | "aborted"> {
  return new Promise((resolve) => res.on("close", () => resolve(res.writableFinished ? "completed" : "aborted")));
}

export function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { CreateChatSessionDocument, OnChatMessageStreamDocument, RegisterDocument, SendChatMessageDocument } from "../test/generated/graphql";
import { startInstance } from "../test/helpers/instance";
import { graphqlClient } from "../test/helpers/graphql";

/** BENCH_CHATS tries another load. */
const CHATS = Number(process.env.BENCH_CHATS ?? 500);
const TOKENS = 250;
const TOKEN_INTERVAL_MS = 20;
/** Chats start evenly over this time, then stream for TOKENS x TOKEN_INTERVAL_MS. */
const RAMP_MS = 2_500;
const API_KEY = "bench-key";

export interface ChatStreamingResult {
  chats: number;
  tokensPerChat: number;
  tokensPerSecond: number;
  /** Provider's write of a token to the client's receipt of it, live events only. */
  delayMs: { p50: number; p99: number; max: number };
  eventsPerChat: number;
  /** Server RSS while every stream is open, over the idle server's, per stream. */
  kbPerOpenStream: number;
  /** Cores the API process kept busy while streaming (1 = one core saturated). */
  serverCpuShare: number;
  lost: number;
  failed: number;
}

/** Wall-clock milliseconds with fractions, comparable between processes on one machine. */
const now = () => performance.timeOrigin + performance.now();

/**
 * A Gemini streaming endpoint that writes one token every TOKEN_INTERVAL_MS, each token its own
 * send time, so the client can tell how long the token took to reach it.
 */
async function startTokenServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    if (!req.url?.includes(":streamGenerateContent")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    let sent = 0;
    const timer = setInterval(() => {
      sent += 1;
      const last = sent === TOKENS;
      const chunk = {
        candidates: [{ content: { role: "model", parts: [{ text: `${now().toFixed(2)} ` }] }, index: 0, ...(last && { finishReason: "STOP" }) }],
        ...(last && { usageMetadata: { promptTokenCount: 10, candidatesTokenCount: TOKENS, totalTokenCount: TOKENS + 10 } }),
      };
      res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
      if (last) {
        clearInterval(timer);
        res.end();
      }
    }, TOKEN_INTERVAL_MS);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** CPU seconds (user + system) the process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) : 0;
}

function percentile(sorted: number[], p: number): number {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1));
}

/** `npm run bench` lines: CHATS answers streamed at once through one API process. */
export async function benchChatStreaming(): Promise<string[]> {
  const r = await measureChatStreaming();
  return [
    `chat streaming (${r.chats} chats at once, one learner and socket each, a token every ${TOKEN_INTERVAL_MS} ms, ${r.tokensPerChat} tokens each)`,
    `  tokens delivered/s               ${r.tokensPerSecond}   (offered: ${Math.round((r.chats * 1000) / TOKEN_INTERVAL_MS)})`,
    `  delay added, provider to client  p50 ${r.delayMs.p50} ms, p99 ${r.delayMs.p99} ms, max ${r.delayMs.max} ms`,
    `  events per answer                ${r.eventsPerChat}   (coalesced from ${r.tokensPerChat} tokens)`,
    `  memory per open stream           ${r.kbPerOpenStream} KB   (server RSS at peak over idle, per stream)`,
    `  API process CPU                  ${r.serverCpuShare} cores`,
    `  tokens lost, answers not COMPLETE ${r.lost}, ${r.failed}   (must be 0, 0)`,
  ];
}

/** CHATS concurrent answers streamed from the token server through one API process to CHATS websocket clients. */
export async function measureChatStreaming(): Promise<ChatStreamingResult> {
  const tokens = await startTokenServer();
  const api = await startInstance({
    DATABASE_IN_MEMORY: "true",
    GOOGLE_API_KEY: API_KEY,
    GEMINI_BASE_URL: tokens.url,
    CHAT_MAX_CONCURRENT: String(CHATS),
    CHAT_MESSAGES_PER_MINUTE: String(CHATS * 2),
    BCRYPT_COST: "4",
    LOG_LEVEL: "info",
  });
  const clients: Client[] = [];
  try {
    const gql = graphqlClient(api.graphqlUrl);
    // One learner per chat, each with a session and an open socket: the figures are of streaming, not of setting up.
    const learners = await Promise.all(
      Array.from({ length: CHATS }, async (_, i) => {
        const input = { name: `Learner ${i}`, email: `learner-${i}@example.com`, password: "bench password 1" };
        const token = (await gql(RegisterDocument, { input })).data!.register.accessToken;
        const sessionId = (await gql(CreateChatSessionDocument, { input: { mode: "HYBRID" } }, { token })).data!.createChatSession.id;
        const client = createClient({ url: api.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
        clients.push(client);
        await new Promise((resolve) => client.on("connected", resolve));
        return { token, sessionId, client };
      }),
    );
    const idleKb = rssKb(api.pid);
    const cpuBefore = cpuSeconds(api.pid);
    const wallBefore = performance.now();
    let peakKb = idleKb;
    const sampler = setInterval(() => (peakKb = Math.max(peakKb, rssKb(api.pid))), 100);
    const delays: number[] = [];
    let events = 0;
    let lost = 0;
    let failed = 0;
    let firstToken = Infinity;
    let lastToken = 0;
    await Promise.all(
      learners.map(async ({ token, sessionId, client }, i) => {
        // Learners do not all press "send" in the same millisecond.
        await sleep((i * RAMP_MS) / CHATS);
        const turn = await gql(SendChatMessageDocument, { sessionId, content: "Tell me something." }, { token });
        if (!turn.data) throw new Error(`send failed: ${JSON.stringify(turn.errors)}`);
        const messageId = turn.data.sendChatMessage.assistantMessage.id;
        let text = "";
        let first = true;
        let status = "";
        for await (const result of client.iterate<{ chatMessageStream: { delta: string; done: boolean; status: string } }>({
          query: print(OnChatMessageStreamDocument),
          variables: { messageId },
        })) {
          const received = now();
          const event = result.data!.chatMessageStream;
          if (event.delta) {
            firstToken = Math.min(firstToken, received);
            lastToken = received;
          }
          events += 1;
          text += event.delta;
          // The first event may hold tokens written before this client subscribed: not a live delay.
          if (!first) for (const sent of event.delta.trim().split(/\s+/).filter(Boolean)) delays.push(received - Number(sent));
          first = false;
          if (event.done) {
            status = event.status;
            break;
          }
        }
        if (status !== "COMPLETE") failed += 1;
        lost += TOKENS - text.trim().split(/\s+/).filter(Boolean).length;
      }),
    );
    const seconds = (lastToken - firstToken) / 1000;
    const cpuShare = (cpuSeconds(api.pid) - cpuBefore) / ((performance.now() - wallBefore) / 1000);
    clearInterval(sampler);
    delays.sort((a, b) => a - b);
    return {
      chats: CHATS,
      tokensPerChat: TOKENS,
      tokensPerSecond: Math.round((CHATS * TOKENS) / seconds),
      delayMs: { p50: percentile(delays, 50), p99: percentile(delays, 99), max: percentile(delays, 100) },
      eventsPerChat: Math.round(events / CHATS),
      kbPerOpenStream: Math.round((peakKb - idleKb) / CHATS),
      serverCpuShare: Number(cpuShare.toFixed(2)),
      lost,
      failed,
    };
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
    await api.stop();
    await tokens.close();
  }
}

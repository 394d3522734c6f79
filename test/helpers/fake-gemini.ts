import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { embedText } from "../../src/infra/ai/offline/embedding";
import { closeNow, endOf, header, listenLocally, readBody, ReplyScript, sendJson } from "./scripted-fake";

/**
 * A local HTTP server speaking the parts of the Gemini REST API (v1beta) that
 * @google/generative-ai calls, so tests run the real SDK against it through GEMINI_BASE_URL.
 * Each endpoint answers from a per-test script (a queue of replies), then from its default:
 *
 *   const fake = await startFakeGemini();
 *   const server = await startTestServer(fake.env());
 *   fake.enqueue("generateContent", { error: 429, retryAfterSeconds: 1 }, { json: outline });
 *   fake.enqueue("streamGenerateContent", { chunks: ["Hel", "lo"], delayMs: 20 });
 *   expect(fake.requests.map((r) => r.task)).toEqual([...]);
 *
 * Unscripted: text requests get a fixed answer, JSON requests a 400 (script them), embeddings
 * real lexical vectors, countTokens a word count.
 */

export type GeminiTask = "generateContent" | "streamGenerateContent" | "embedContent" | "batchEmbedContents" | "countTokens";

export type FakeReply =
  /** A candidate with this text (streams send it word by word). */
  | { text: string; finishReason?: string; delayMs?: number }
  /** A candidate whose text is this value as JSON. */
  | { json: unknown; delayMs?: number }
  /**
   * A stream sending these deltas, `delayMs` apart (the first too); after `dropAfter` of them it
   * cuts the connection, after `stallAfter` it sends nothing more until the client gives up.
   */
  | { chunks: string[]; delayMs?: number; finishReason?: string; dropAfter?: number; stallAfter?: number }
  /** An API error, as Google formats them; `retryAfterSeconds` sends both Retry-After and RetryInfo. */
  | { error: number; message?: string; retryAfterSeconds?: number; delayMs?: number }
  /** Never answers (until the client gives up). */
  | { hang: true }
  /** The prompt was blocked: no candidates, a promptFeedback.blockReason. */
  | { blocked: string }
  /** A response without any candidate. */
  | { empty: true }
  /** This body verbatim, e.g. malformed JSON. */
  | { raw: string; status?: number }
  /** Embeddings: these vectors instead of the default ones. */
  | { vectors: number[][] };

export interface RecordedRequest {
  task: GeminiTask;
  model: string;
  /** The parsed JSON body the SDK sent. */
  body: Record<string, unknown>;
  apiKey?: string;
  /** Settles when the exchange ends: `aborted` if the client closed the connection first. */
  ended: Promise<"completed" | "aborted">;
}

export interface FakeGemini {
  /** For GEMINI_BASE_URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  apiKey: string;
  /** Variables for `startTestServer` that select Gemini on this server, with quick retries. */
  env(): Record<string, string>;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues replies for the next requests to `task`, in order. */
  enqueue(task: GeminiTask, ...replies: FakeReply[]): void;
  /** The reply to `task` once its queue is empty. */
  setDefault(task: GeminiTask, reply: FakeReply): void;
  /** Forgets requests, queues and changed defaults (call it in `beforeEach`). */
  reset(): void;
  stop(): Promise<void>;
}

export const FAKE_GEMINI_API_KEY = "fake-gemini-key";
const DEFAULT_TEXT = "This is a fake Gemini answer.";
const DEFAULT_DIMENSIONS = 768;
const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

export async function startFakeGemini(options: { apiKey?: string } = {}): Promise<FakeGemini> {
  const apiKey = options.apiKey ?? FAKE_GEMINI_API_KEY;
  const script = new ReplyScript<GeminiTask, FakeReply>();
  const requests: RecordedRequest[] = [];

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendError(res, 500, `fake-gemini: ${error.message}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const route = url.pathname.match(/^\/v1(?:beta)?\/models\/([^/:]+):(\w+)$/);
    const body = JSON.parse((await readBody(req)) || "{}") as Record<string, unknown>;
    if (req.method !== "POST" || !route) return sendError(res, 404, `fake-gemini: no route ${req.method} ${url.pathname}`);
    const [, model, task] = route as unknown as [string, string, GeminiTask];
    const ended = endOf(res);
    const key = header(req, "x-goog-api-key");
    requests.push({ task, model, body, apiKey: key, ended });
    if (key !== apiKey) {
      return sendError(res, 400, "API key not valid. Please pass a valid API key.", [
        { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" },
      ]);
    }
    const stream = task === "streamGenerateContent";
    if (stream && url.searchParams.get("alt") !== "sse") return sendError(res, 400, "fake-gemini: streams need alt=sse");
    const reply = script.next(task, () => defaultReply(task, body));
    const closed = () => res.destroyed || res.writableEnded;

    if ("hang" in reply) return;
    if ("delayMs" in reply && reply.delayMs && !("chunks" in reply) && !stream) await sleep(reply.delayMs);
    if (closed()) return;
    if ("error" in reply) return sendError(res, reply.error, reply.message ?? STATUS_NAMES[reply.error] ?? "error", [], reply.retryAfterSeconds);
    if ("raw" in reply) {
      res.writeHead(reply.status ?? 200, { "content-type": "application/json" });
      return void res.end(reply.raw);
    }
    switch (task) {
      case "embedContent":
      case "batchEmbedContents":
        return sendJson(res, embeddings(task, body, reply));
      case "countTokens":
        return sendJson(res, { totalTokens: countWords(body) });
      case "generateContent":
        return sendJson(res, completion(reply, body));
      case "streamGenerateContent":
        return streamCompletion(res, reply, body, closed);
    }
  }

  const port = await listenLocally(server);

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    env: () => ({
      GOOGLE_API_KEY: apiKey,
      GEMINI_BASE_URL: `http://127.0.0.1:${port}`,
      AI_RETRY_BASE_MS: "5",
      AI_RETRY_MAX_MS: "1000",
    }),
    requests,
    enqueue: (task, ...replies) => script.enqueue(task, ...replies),
    setDefault: (task, reply) => script.setDefault(task, reply),
    reset() {
      script.reset();
      requests.length = 0;
    },
    stop: () => closeNow(server),
  };
}

function defaultReply(task: GeminiTask, body: Record<string, unknown>): FakeReply {
  const generationConfig = body.generationConfig as { responseMimeType?: string } | undefined;
  if (task === "generateContent" && generationConfig?.responseMimeType === "application/json") {
    return { error: 400, message: "fake-gemini: no JSON reply scripted for this request (use enqueue)" };
  }
  return { text: DEFAULT_TEXT };
}

function completion(reply: FakeReply, body: Record<string, unknown>): unknown {
  if ("blocked" in reply) return { promptFeedback: { blockReason: reply.blocked, safetyRatings: [] }, usageMetadata: usage(body, "") };
  if ("empty" in reply) return { candidates: [], usageMetadata: usage(body, "") };
  const text = replyText(reply);
  const finishReason = "finishReason" in reply && reply.finishReason ? reply.finishReason : "STOP";
  return { candidates: [candidate(text, finishReason)], usageMetadata: usage(body, text), modelVersion: "fake" };
}

async function streamCompletion(res: ServerResponse, reply: FakeReply, body: Record<string, unknown>, closed: () => boolean) {
  res.writeHead(200, { "content-type": "text/event-stream" });
  // Headers now, as Google sends them, not with the first (possibly delayed) chunk.
  res.flushHeaders();
  const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  if ("blocked" in reply || "empty" in reply) {
    send(completion(reply, body));
    return void res.end();
  }
  const chunks = "chunks" in reply ? reply.chunks : (replyText(reply).match(/\S+\s*/g) ?? []);
  const delayMs = "delayMs" in reply ? (reply.delayMs ?? 0) : 0;
  const finishReason = "finishReason" in reply && reply.finishReason ? reply.finishReason : "STOP";
  for (const [i, chunk] of chunks.entries()) {
    if (delayMs > 0) await sleep(delayMs);
    if (closed()) return;
    if ("stallAfter" in reply && reply.stallAfter === i) return;
    if ("dropAfter" in reply && reply.dropAfter === i) {
      // Let what was sent reach the client, then cut the connection.
      await new Promise<void>((resolve) => res.write("", () => resolve()));
      return void res.destroy();
    }
    const last = i === chunks.length - 1;
    send(
      last
        ? { candidates: [candidate(chunk, finishReason)], usageMetadata: usage(body, chunks.join("")) }
        : { candidates: [{ content: { role: "model", parts: [{ text: chunk }] }, index: 0 }] },
    );
  }
  res.end();
}

function replyText(reply: FakeReply): string {
  if ("text" in reply) return reply.text;
  if ("json" in reply) return JSON.stringify(reply.json);
  throw new Error(`fake-gemini: reply ${JSON.stringify(reply)} does not fit a generate request`);
}

function candidate(text: string, finishReason: string) {
  return { content: { role: "model", parts: [{ text }] }, finishReason, index: 0 };
}

function usage(body: Record<string, unknown>, output: string) {
  const promptTokenCount = countWords(body);
  const candidatesTokenCount = output.split(/\s+/).filter(Boolean).length;
  return { promptTokenCount, candidatesTokenCount, totalTokenCount: promptTokenCount + candidatesTokenCount };
}

interface EmbedRequest {
  content: { parts: { text: string }[] };
  outputDimensionality?: number;
}

/** Unless scripted, real lexical vectors (the offline provider's), so search over them works. */
function embeddings(task: GeminiTask, body: Record<string, unknown>, reply: FakeReply): unknown {
  const embedRequests = task === "embedContent" ? [body as unknown as EmbedRequest] : (body.requests as EmbedRequest[]);
  const vectors =
    "vectors" in reply
      ? reply.vectors
      : embedRequests.map((request) =>
          embedText(request.content.parts.map((part) => part.text).join(" "), request.outputDimensionality ?? DEFAULT_DIMENSIONS),
        );
  return task === "embedContent" ? { embedding: { values: vectors[0] } } : { embeddings: vectors.map((values) => ({ values })) };
}

/** Words in every text part of the request: a stand-in for tokens. */
function countWords(body: unknown): number {
  let count = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) {
        if (key === "text" && typeof inner === "string") count += inner.split(/\s+/).filter(Boolean).length;
        else visit(inner);
      }
    }
  };
  visit(body);
  return count;
}

function sendError(res: ServerResponse, status: number, message: string, details: unknown[] = [], retryAfterSeconds?: number): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const allDetails = [...details];
  if (retryAfterSeconds !== undefined) {
    headers["retry-after"] = String(Math.ceil(retryAfterSeconds));
    allDetails.push({ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfterSeconds}s` });
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN", details: allDetails } }));
}

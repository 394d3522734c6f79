import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { embedText } from "../../src/infra/ai/offline/embedding";
import { closeNow, endOf, header, listenLocally, readBody, ReplyScript, sendJson } from "./scripted-fake";

/**
 * A local HTTP server speaking the parts of the OpenAI API that self-hosted model servers
 * (Ollama, llama.cpp, vLLM, LM Studio) offer and the `openai` SDK calls, so tests run the real
 * SDK against it through OPENAI_BASE_URL. Each endpoint answers from a per-test script (a queue
 * of replies), then from its default:
 *
 *   const fake = await startFakeOpenAi();
 *   const server = await startTestServer(fake.env());
 *   fake.enqueue("chat", { error: 429, retryAfterSeconds: 1 }, { json: outline });
 *   fake.enqueue("stream", { chunks: ["Hel", "lo"], delayMs: 20 });
 *   expect(fake.requests.map((r) => r.task)).toEqual([...]);
 *
 * Unscripted: text requests get a fixed answer, JSON requests a 400 (script them), embeddings
 * real lexical vectors of `dimensions` numbers, /models the two default models.
 */

/** `chat` is a chat completion answered at once, `stream` one answered as server-sent events. */
export type OpenAiTask = "chat" | "stream" | "embeddings" | "models";

export type FakeReply =
  /** An answer with this text (streams send it word by word). */
  | { text: string; finishReason?: string; delayMs?: number }
  /** An answer whose text is this value as JSON. */
  | { json: unknown; delayMs?: number }
  /**
   * A stream sending these deltas, `delayMs` apart (the first too); after `dropAfter` of them it
   * cuts the connection, after `stallAfter` it sends nothing more until the client gives up,
   * after `garbleAfter` it sends an event that is not JSON, after `endAfter` it ends without a finish reason.
   */
  | { chunks: string[]; delayMs?: number; finishReason?: string; dropAfter?: number; stallAfter?: number; garbleAfter?: number; endAfter?: number }
  /** An API error as OpenAI formats it; `retryAfterSeconds` sends a Retry-After header. */
  | { error: number; message?: string; retryAfterSeconds?: number; delayMs?: number }
  /** Never answers (until the client gives up). */
  | { hang: true }
  /** This body verbatim, e.g. malformed JSON. */
  | { raw: string; status?: number; contentType?: string }
  /** Embeddings: these vectors instead of the default ones. */
  | { vectors: number[][] }
  /** Models: these ids. */
  | { models: string[] };

export interface RecordedRequest {
  task: OpenAiTask;
  method: string;
  path: string;
  /** The parsed JSON body the SDK sent (empty for GET). */
  body: Record<string, unknown>;
  authorization?: string;
  /** Settles when the exchange ends: `aborted` if the client closed the connection first. */
  ended: Promise<"completed" | "aborted">;
}

export type ResponseFormat = "json_schema" | "json_object";

export interface FakeOpenAi {
  /** The OpenAI-compatible root for OPENAI_BASE_URL, e.g. `http://127.0.0.1:40123/v1`. */
  baseUrl: string;
  /** Variables for `startTestServer` that select this server, with quick retries. */
  env(): Record<string, string>;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Queues replies for the next requests to `task`, in order. */
  enqueue(task: OpenAiTask, ...replies: FakeReply[]): void;
  /** The reply to `task` once its queue is empty. */
  setDefault(task: OpenAiTask, reply: FakeReply): void;
  /** The response formats this server accepts (like an older server: others get a 400); all by default. */
  acceptFormats(formats: ResponseFormat[]): void;
  /** Forgets requests, queues, changed defaults and formats (call it in `beforeEach`). */
  reset(): void;
  stop(): Promise<void>;
}

export const FAKE_OPENAI_MODEL = "llama3.2";
export const FAKE_OPENAI_EMBEDDING_MODEL = "nomic-embed-text";
const DEFAULT_TEXT = "This is a fake local model answer.";
const DEFAULT_DIMENSIONS = 768;
const ALL_FORMATS: ResponseFormat[] = ["json_schema", "json_object"];

export async function startFakeOpenAi(options: { apiKey?: string; dimensions?: number } = {}): Promise<FakeOpenAi> {
  const dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
  const script = new ReplyScript<OpenAiTask, FakeReply>();
  const requests: RecordedRequest[] = [];
  let formats = ALL_FORMATS;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendError(res, 500, `fake-openai: ${error.message}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? "/", "http://fake").pathname;
    const raw = await readBody(req);
    const body = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    const task = taskOf(req.method ?? "GET", path, body);
    if (!task) return sendError(res, 404, `fake-openai: no route ${req.method} ${path}`);
    const ended = endOf(res);
    const authorization = header(req, "authorization");
    requests.push({ task, method: req.method ?? "GET", path, body, authorization, ended });
    if (options.apiKey && authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, "Incorrect API key provided.", "invalid_api_key");
    }
    const format = (body.response_format as { type?: string } | undefined)?.type;
    if (format && format !== "text" && !formats.includes(format as ResponseFormat)) {
      return sendError(res, 400, `response_format type '${format}' is not supported`, "invalid_request_error");
    }
    const reply = script.next(task, () => defaultReply(task, body));
    const closed = () => res.destroyed || res.writableEnded;

    if ("hang" in reply) return;
    if ("delayMs" in reply && reply.delayMs && !("chunks" in reply) && task !== "stream") await sleep(reply.delayMs);
    if (closed()) return;
    if ("error" in reply) return sendError(res, reply.error, reply.message ?? `fake-openai: HTTP ${reply.error}`, undefined, reply.retryAfterSeconds);
    if ("raw" in reply) {
      res.writeHead(reply.status ?? 200, { "content-type": reply.contentType ?? "application/json" });
      return void res.end(reply.raw);
    }
    switch (task) {
      case "models":
        return sendJson(res, { object: "list", data: ("models" in reply ? reply.models : []).map((id) => ({ id, object: "model", created: 0, owned_by: "fake" })) });
      case "embeddings":
        return sendJson(res, embeddings(body, reply, dimensions));
      case "chat":
        return sendJson(res, completion(reply, body));
      case "stream":
        return streamCompletion(res, reply, body, closed);
    }
  }

  const port = await listenLocally(server);
  const baseUrl = `http://127.0.0.1:${port}/v1`;

  return {
    baseUrl,
    env: () => ({
      AI_PROVIDER: "openai",
      OPENAI_BASE_URL: baseUrl,
      OPENAI_MODEL: FAKE_OPENAI_MODEL,
      OPENAI_EMBEDDING_MODEL: FAKE_OPENAI_EMBEDDING_MODEL,
      ...(options.apiKey && { OPENAI_API_KEY: options.apiKey }),
      AI_RETRY_BASE_MS: "5",
      AI_RETRY_MAX_MS: "1000",
    }),
    requests,
    enqueue: (task, ...replies) => script.enqueue(task, ...replies),
    setDefault: (task, reply) => script.setDefault(task, reply),
    acceptFormats(accepted) {
      formats = accepted;
    },
    reset() {
      script.reset();
      requests.length = 0;
      formats = ALL_FORMATS;
    },
    stop: () => closeNow(server),
  };
}

function taskOf(method: string, path: string, body: Record<string, unknown>): OpenAiTask | undefined {
  if (method === "GET" && path === "/v1/models") return "models";
  if (method !== "POST") return undefined;
  if (path === "/v1/embeddings") return "embeddings";
  if (path === "/v1/chat/completions") return body.stream === true ? "stream" : "chat";
  return undefined;
}

function defaultReply(task: OpenAiTask, body: Record<string, unknown>): FakeReply {
  if (task === "models") return { models: [`${FAKE_OPENAI_MODEL}:latest`, `${FAKE_OPENAI_EMBEDDING_MODEL}:latest`] };
  if (task === "embeddings") return { vectors: [] };
  if (task === "chat" && body.response_format) {
    return { error: 400, message: "fake-openai: no JSON reply scripted for this request (use enqueue)" };
  }
  return { text: DEFAULT_TEXT };
}

function completion(reply: FakeReply, body: Record<string, unknown>): unknown {
  const text = replyText(reply);
  const finishReason = "finishReason" in reply && reply.finishReason ? reply.finishReason : "stop";
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: finishReason }],
    usage: usage(body, text),
  };
}

async function streamCompletion(res: ServerResponse, reply: FakeReply, body: Record<string, unknown>, closed: () => boolean) {
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  res.flushHeaders();
  const send = (data: unknown) => res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  });
  const chunks = "chunks" in reply ? reply.chunks : (replyText(reply).match(/\S+\s*/g) ?? []);
  const delayMs = "delayMs" in reply ? (reply.delayMs ?? 0) : 0;
  const finishReason = "finishReason" in reply && reply.finishReason ? reply.finishReason : "stop";
  for (const [i, text] of chunks.entries()) {
    if (delayMs > 0) await sleep(delayMs);
    if (closed()) return;
    if ("stallAfter" in reply && reply.stallAfter === i) return;
    if ("endAfter" in reply && reply.endAfter === i) return void res.end();
    if ("garbleAfter" in reply && reply.garbleAfter === i) {
      send('{"choices": [{"delta": {"content": "unterminated');
      return void res.end();
    }
    if ("dropAfter" in reply && reply.dropAfter === i) {
      // Let what was sent reach the client, then cut the connection.
      await new Promise<void>((resolve) => res.write("", () => resolve()));
      return void res.destroy();
    }
    send(chunk(i === 0 ? { role: "assistant", content: text } : { content: text }, null));
  }
  send(chunk({}, finishReason));
  const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
  if (streamOptions?.include_usage) send({ id: "chatcmpl-fake", object: "chat.completion.chunk", choices: [], usage: usage(body, chunks.join("")) });
  send("[DONE]");
  res.end();
}

function replyText(reply: FakeReply): string {
  if ("text" in reply) return reply.text;
  if ("json" in reply) return JSON.stringify(reply.json);
  throw new Error(`fake-openai: reply ${JSON.stringify(reply)} does not fit a chat request`);
}

function usage(body: Record<string, unknown>, output: string) {
  const prompt_tokens = countWords(body.messages);
  const completion_tokens = output.split(/\s+/).filter(Boolean).length;
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** Unless scripted, real lexical vectors (the offline provider's), so search over them works. */
function embeddings(body: Record<string, unknown>, reply: FakeReply, dimensions: number): unknown {
  const input = typeof body.input === "string" ? [body.input] : (body.input as string[]);
  const vectors = "vectors" in reply && reply.vectors.length > 0 ? reply.vectors : input.map((text) => embedText(text, dimensions));
  return {
    object: "list",
    // Out of order, as servers may send them: the index says which input each belongs to.
    data: vectors.map((embedding, index) => ({ object: "embedding", index, embedding })).reverse(),
    model: body.model,
    usage: { prompt_tokens: countWords(input), total_tokens: countWords(input) },
  };
}

/** Words in every string of the value: a stand-in for tokens. */
function countWords(value: unknown): number {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean).length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countWords(item), 0);
  if (value && typeof value === "object") return Object.values(value).reduce((sum: number, item) => sum + countWords(item), 0);
  return 0;
}

function sendError(res: ServerResponse, status: number, message: string, type = "server_error", retryAfterSeconds?: number): void {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (retryAfterSeconds !== undefined) headers["retry-after"] = String(retryAfterSeconds);
  res.writeHead(status, headers);
  res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
}

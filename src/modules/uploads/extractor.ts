import { extname, join } from "node:path";
import { Worker } from "node:worker_threads";
import { raise, type ErrorCode } from "../../lib/errors";
import { DOCX_ZIP_LIMITS } from "./zip-limits";
import type { ExtractedDocument } from "./extracted";
import type { ExtractReply, ExtractRequest } from "./extract-worker";

export interface ExtractorLimits {
  timeoutMs: number;
  /** Heap of the worker: a file that needs more fails instead of exhausting the API process. */
  maxHeapMb: number;
  /** Extracted text beyond this is dropped. */
  maxTextLength: number;
  /**
   * What a DOCX's entries may really inflate to (the heap cap does not cover Buffers); beyond, the
   * worker is stopped. Default: DOCX_ZIP_LIMITS.maxTotalInflated.
   */
  maxInflatedBytes?: number;
}

export const DEFAULT_EXTRACTOR_LIMITS: ExtractorLimits = {
  timeoutMs: 60_000,
  maxHeapMb: 512,
  maxTextLength: 5_000_000,
  maxInflatedBytes: DOCX_ZIP_LIMITS.maxTotalInflated,
};

/** From TypeScript sources (tests, scripts) the worker needs the same on-the-fly compiler. */
const WORKER_FILE = join(__dirname, `extract-worker${extname(__filename)}`);
const WORKER_EXEC_ARGV = extname(__filename) === ".ts" ? ["-r", "@swc-node/register"] : [];

/**
 * Parses a PDF or DOCX in a worker thread with a bounded heap and a deadline. Failures are
 * BAD_USER_INPUT with a reason a user can act on (encrypted, corrupt, too large).
 */
export function extractInWorker(kind: ExtractRequest["kind"], bytes: Buffer, limits: ExtractorLimits = DEFAULT_EXTRACTOR_LIMITS): Promise<ExtractedDocument> {
  return new Promise((resolve, reject) => {
    const request: ExtractRequest = {
      kind,
      bytes: new Uint8Array(bytes),
      maxTextLength: limits.maxTextLength,
      maxInflatedBytes: limits.maxInflatedBytes ?? DOCX_ZIP_LIMITS.maxTotalInflated,
    };
    const worker = new Worker(WORKER_FILE, {
      workerData: request,
      execArgv: WORKER_EXEC_ARGV,
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 64 },
      stdout: true,
      stderr: true,
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      outcome();
    };
    const fail = (reason: string) => finish(() => reject(failure(reason)));
    const timer = setTimeout(() => fail(`reading it took longer than ${Math.round(limits.timeoutMs / 1000)} s`), limits.timeoutMs);
    worker.once("message", (reply: ExtractReply) => finish(() => (reply.ok ? resolve(reply.document) : reject(reply.code ? refusal(reply.code, reply.reason) : failure(reply.reason)))));
    worker.once("error", (error: Error & { code?: string }) =>
      fail(error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "reading it needs more memory than allowed" : "the file could not be read"),
    );
    worker.once("exit", () => fail("the file could not be read"));
  });
}

function failure(reason: string): Error {
  return refusal("BAD_USER_INPUT", `Text extraction failed: ${reason}`);
}

function refusal(code: ErrorCode, message: string): Error {
  try {
    return raise(code, message);
  } catch (error) {
    return error as Error;
  }
}

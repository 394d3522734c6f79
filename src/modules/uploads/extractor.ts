import { extname, join } from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { raise, type ErrorCode } from "../../lib/errors";
import { DOCX_ZIP_LIMITS } from "./zip-limits";
import type { ExtractedDocument } from "./extracted";
import type { ExtractReply, ExtractRequest } from "./extract-worker";

export interface ExtractorLimits {
  timeoutMs: number;
  /** V8 heap of the extraction process: a file that needs more fails instead of exhausting the API process. */
  maxHeapMb: number;
  /**
   * All the extraction process's writable memory (heap, Buffers, WebAssembly), enforced by the
   * kernel (RLIMIT_DATA through `prlimit`). Default: the heap plus 512 MB.
   */
  maxMemoryMb?: number;
  /** Extracted text beyond this is dropped. */
  maxTextLength: number;
  /**
   * What a DOCX's entries, or a PDF's non-image streams, may really inflate to; beyond, the file is refused.
   * Default: DOCX_ZIP_LIMITS.maxTotalInflated.
   */
  maxInflatedBytes?: number;
}

export const DEFAULT_EXTRACTOR_LIMITS: ExtractorLimits = {
  timeoutMs: 60_000,
  maxHeapMb: 512,
  maxTextLength: 5_000_000,
  maxInflatedBytes: DOCX_ZIP_LIMITS.maxTotalInflated,
};

/** From TypeScript sources (tests, scripts) the child needs the same on-the-fly compiler. */
const WORKER_FILE = join(__dirname, `extract-worker${extname(__filename)}`);
const WORKER_EXEC_ARGV = extname(__filename) === ".ts" ? ["-r", "@swc-node/register"] : [];
/** What V8 prints when a heap runs out, and what Node says when a Buffer cannot be had. */
const OUT_OF_MEMORY = /heap limit|out of memory|allocation failed/i;

let prlimit: boolean | undefined;
/** util-linux's `prlimit` sets the kernel's limits on the child; without it only the heap is capped. */
function hasPrlimit(): boolean {
  return (prlimit ??= spawnSync("prlimit", ["--version"], { stdio: "ignore" }).status === 0);
}

/**
 * Parses a PDF or DOCX in a child process of its own, with a capped heap, a kernel limit on its
 * memory and CPU time, and a deadline. Whatever a hostile file does to the parser (a heap that
 * runs out aborts V8, which in a worker thread would take the whole API down with it), only the
 * child ends. Failures are BAD_USER_INPUT with a reason a user can act on (encrypted, corrupt, too large).
 */
export function extractInWorker(kind: ExtractRequest["kind"], bytes: Buffer, limits: ExtractorLimits = DEFAULT_EXTRACTOR_LIMITS): Promise<ExtractedDocument> {
  return new Promise((resolve, reject) => {
    const request: ExtractRequest = {
      kind,
      bytes: new Uint8Array(bytes),
      maxTextLength: limits.maxTextLength,
      maxInflatedBytes: limits.maxInflatedBytes ?? DOCX_ZIP_LIMITS.maxTotalInflated,
    };
    const node = [process.execPath, ...WORKER_EXEC_ARGV, `--max-old-space-size=${limits.maxHeapMb}`, "--max-semi-space-size=16", WORKER_FILE];
    const memoryBytes = (limits.maxMemoryMb ?? limits.maxHeapMb + 512) * 1024 * 1024;
    const cpuSeconds = Math.ceil(limits.timeoutMs / 1000) + 1;
    const [command, ...args] = hasPrlimit() ? ["prlimit", `--data=${memoryBytes}`, `--cpu=${cpuSeconds}`, "--", ...node] : node;
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe", "ipc"], serialization: "advanced" });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += chunk.toString();
    });
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      outcome();
    };
    const fail = (reason: string) => finish(() => reject(failure(reason)));
    const tooSlow = () => fail(`reading it took longer than ${Math.round(limits.timeoutMs / 1000)} s`);
    const timer = setTimeout(tooSlow, limits.timeoutMs);
    child.once("message", (reply: ExtractReply) => finish(() => (reply.ok ? resolve(reply.document) : reject(reply.code ? refusal(reply.code, reply.reason) : failure(reply.reason)))));
    child.once("error", () => fail("the file could not be read (the extraction process did not start)"));
    child.once("exit", (_code, signal) => {
      if (signal === "SIGXCPU") return tooSlow();
      fail(OUT_OF_MEMORY.test(stderr) || signal === "SIGABRT" ? "reading it needs more memory than allowed" : "the file could not be read");
    });
    child.send(request, (error) => {
      if (error) fail("the file could not be read (the extraction process did not start)");
    });
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

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import PDFDocument from "pdfkit";
import { loadConfig } from "../src/config";
import { createServer } from "../src/server";

const PAGES = 100;
const SENTENCES = [
  "The committee reviewed the quarterly figures and found the growth in the northern region steady.",
  "Photosynthesis stores the energy of sunlight in the chemical bonds of glucose.",
  "Each new employee follows a two-week induction with a mentor from another team.",
  "The bridge was designed to move slightly in strong winds instead of resisting them.",
  "Students who explain a concept aloud remember it longer than those who only reread it.",
];

/** A PDF of `pages` pages with about 1,800 characters of varied prose each. */
function makePdf(pages: number): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false });
  const parts: Buffer[] = [];
  doc.on("data", (part: Buffer) => parts.push(part));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(parts))));
  for (let page = 0; page < pages; page++) {
    doc.addPage();
    const text = Array.from({ length: 20 }, (_, i) => `${SENTENCES[(page + i) % SENTENCES.length]} (page ${page + 1}, note ${i + 1})`).join(" ");
    doc.fontSize(10).text(text, { width: 480 });
  }
  doc.end();
  return done;
}

async function graphql(url: string, token: string | undefined, query: string, variables: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown };
  if (body.errors || !body.data) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** Pages per second from the upload request to READY, through the real server with offline embeddings. */
export async function benchIngestion(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), "bench-ingestion-"));
  const server = await createServer(
    loadConfig({ NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", DATA_DIR: dataDir, DATABASE_IN_MEMORY: "true", LOG_LEVEL: "silent", AI_PROVIDER: "offline", BCRYPT_COST: "4" }),
  );
  try {
    const url = `${server.url}/graphql`;
    const { register } = await graphql(url, undefined, "mutation($input: RegisterInput!) { register(input: $input) { accessToken } }", {
      input: { name: "Bench", email: "bench@example.com", password: "bench password 1" },
    });
    const token = register.accessToken as string;
    const pdf = await makePdf(PAGES);
    const form = new FormData();
    form.append("operations", JSON.stringify({ query: "mutation($file: Upload!) { uploadFile(file: $file) { id } }", variables: { file: null } }));
    form.append("map", JSON.stringify({ 0: ["variables.file"] }));
    form.append("0", new Blob([pdf], { type: "application/pdf" }), "bench.pdf");
    const started = process.hrtime.bigint();
    const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "apollo-require-preflight": "true" }, body: form });
    const id = ((await response.json()) as { data: { uploadFile: { id: string } } }).data.uploadFile.id;
    for (;;) {
      const { upload } = await graphql(url, token, "query($id: ObjectID!) { upload(id: $id) { status progress error pageCount chunkCount } }", { id });
      if (upload.status === "FAILED") throw new Error(`ingestion failed: ${upload.error}`);
      if (upload.status === "READY") {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        return [
          `ingestion (real server, offline embeddings, ${Math.round(pdf.length / 1024)} KiB PDF)`,
          `  ${upload.pageCount} pages, ${upload.chunkCount} chunks in ${seconds.toFixed(2)} s: ${(upload.pageCount / seconds).toFixed(1)} pages/s`,
        ];
      }
      await sleep(20);
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

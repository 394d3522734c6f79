// `npm run check:docs`: the documentation says only what is true. It checks every relative link
// (file and heading), that each configuration variable is documented (and has one row in
// docs/configuration.md), and runs the shell blocks marked for it. CONTRIBUTING.md ("The docs
// check") describes the markers. `--no-run` checks links and variables only.
const { spawn, spawnSync } = require("node:child_process");
const { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require("node:fs");
const { createServer } = require("node:net");
const { tmpdir } = require("node:os");
const { dirname, join, relative, resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
const SERVE_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = 600_000;

function pages() {
  const docs = existsSync(join(ROOT, "docs")) ? readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`) : [];
  return ["README.md", "CONTRIBUTING.md", "CHANGELOG.md", ...docs].filter((f) => existsSync(join(ROOT, f)));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(text) {
  const seen = new Map();
  const result = new Set();
  for (const line of withoutCode(text)) {
    const match = /^#{1,6}\s+(.*)$/.exec(line);
    if (!match) continue;
    const base = slug(match[1]);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    result.add(count ? `${base}-${count}` : base);
  }
  return result;
}

/** The page's lines outside fenced code blocks. */
function withoutCode(text) {
  let fenced = false;
  return text.split("\n").filter((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

function checkLinks(page, text, problems) {
  for (const line of withoutCode(text)) {
    for (const [, target] of line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path, anchor] = target.split("#");
      const file = path ? resolve(dirname(join(ROOT, page)), path) : join(ROOT, page);
      const shown = `${page}: link ${target}`;
      if (!file.startsWith(ROOT + "/") && file !== ROOT) problems.push(`${shown} leaves the repository`);
      else if (!existsSync(file)) problems.push(`${shown}: no file ${relative(ROOT, file)}`);
      else if (anchor && file.endsWith(".md") && !anchors(readFileSync(file, "utf8")).has(anchor)) {
        problems.push(`${shown}: ${relative(ROOT, file)} has no heading #${anchor}`);
      }
    }
  }
}

function configurationVariables() {
  const source = readFileSync(join(ROOT, "src/config.ts"), "utf8");
  const start = source.indexOf("const schema = z.object({");
  const body = source.slice(start, source.indexOf("\n});", start));
  return [...body.matchAll(/^ {2}([A-Z][A-Z0-9_]+):/gm)].map((m) => m[1]);
}

function checkVariables(texts, problems) {
  const all = [...texts.values()].join("\n");
  for (const name of configurationVariables()) {
    if (!new RegExp(`\\b${name}\\b`).test(all)) problems.push(`configuration variable ${name} is documented nowhere`);
  }
  const reference = texts.get("docs/configuration.md") ?? "";
  const rows = new Map();
  for (const line of reference.split("\n")) {
    const match = /^\| `([A-Z][A-Z0-9_]+)`/.exec(line);
    if (match) rows.set(match[1], (rows.get(match[1]) ?? 0) + 1);
  }
  for (const [name, count] of rows) if (count > 1) problems.push(`docs/configuration.md: ${name} has ${count} rows`);
}

/** The `sh` blocks of a page, each with the marker on the line before its fence. */
function shellBlocks(page, text) {
  const lines = text.split("\n");
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(\w*)\s*$/.exec(lines[i]);
    if (!fence) continue;
    let end = i + 1;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    if (["sh", "bash", "shell"].includes(fence[2])) {
      const marker = /<!--\s*docs-check:\s*(.*?)\s*-->/.exec(lines[i - 1] ?? "")?.[1];
      const code = lines.slice(i + 1, end).map((l) => l.slice(fence[1].length)).join("\n");
      blocks.push({ where: `${page}:${i + 1}`, marker, code });
    }
    i = end;
  }
  return blocks;
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

/** Runs `code` in bash in its own process group; `stop()` ends the whole group. */
function startBlock(code, env) {
  const child = spawn("bash", ["-e", "-c", code], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise((done) => child.once("exit", (code, signal) => done(code ?? signal)));
  const signalGroup = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const groupAlive = () => {
    try {
      process.kill(-child.pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  return {
    exited,
    output: () => output,
    /** SIGTERM to the whole group (servers shut down gracefully), SIGKILL to what is left after 15 s. */
    async stop() {
      signalGroup("SIGTERM");
      for (let waited = 0; groupAlive() && waited < 15_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
      signalGroup("SIGKILL");
      await exited;
    },
  };
}

async function answers(url) {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200;
  } catch {
    return false;
  }
}

async function serve(block, path, env) {
  const port = await freePort();
  const run = startBlock(block.code, { ...env, PORT: String(port) });
  const deadline = Date.now() + SERVE_TIMEOUT_MS;
  let ended;
  run.exited.then((code) => (ended = code));
  try {
    while (Date.now() < deadline && ended === undefined) {
      if (await answers(`http://127.0.0.1:${port}${path}`)) return undefined;
      await new Promise((r) => setTimeout(r, 500));
    }
    return `${ended === undefined ? `nothing answered on ${path} in ${SERVE_TIMEOUT_MS / 1000} s` : `it ended (${ended}) before ${path} answered`}\n${run.output()}`;
  } finally {
    await run.stop();
  }
}

async function runToEnd(code, env) {
  const run = startBlock(code, env);
  const timer = setTimeout(() => run.stop(), RUN_TIMEOUT_MS);
  const exit = await run.exited;
  clearTimeout(timer);
  return exit === 0 ? undefined : `exit ${exit}\n${run.output()}`;
}

/** One development server for the `with-server` blocks, started on first use. */
let devServer;
async function withServer(block, env) {
  if (!devServer) {
    const port = await freePort();
    const build = spawnSync(process.execPath, ["scripts/build.js"], { cwd: ROOT, encoding: "utf8" });
    if (build.status !== 0) return `the build failed\n${build.stdout}${build.stderr}`;
    const run = startBlock(`exec node dist/main.js`, { ...env, NODE_ENV: "development", PORT: String(port), DATABASE_IN_MEMORY: "true" });
    devServer = { port, run };
    for (let i = 0; i < 240 && !(await answers(`http://127.0.0.1:${port}/health`)); i++) await new Promise((r) => setTimeout(r, 500));
  }
  return runToEnd(block.code.replace(/localhost:8000/g, `127.0.0.1:${devServer.port}`), env);
}

async function runBlock(block) {
  const dataDir = mkdtempSync(join(tmpdir(), "docs-check-"));
  const env = { DATA_DIR: dataDir };
  try {
    const [kind, ...rest] = block.marker.split(/\s+/);
    if (kind === "run") return await runToEnd(block.code, env);
    if (kind === "serve") return await serve(block, rest[0] ?? "/health", env);
    if (kind === "with-server") return await withServer(block, env);
    return `unknown marker "docs-check: ${block.marker}"`;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const runBlocks = !process.argv.includes("--no-run");
  const problems = [];
  const texts = new Map(pages().map((page) => [page, readFileSync(join(ROOT, page), "utf8")]));
  for (const [page, text] of texts) checkLinks(page, text, problems);
  checkVariables(texts, problems);
  const blocks = [...texts].flatMap(([page, text]) => shellBlocks(page, text));
  for (const block of blocks) {
    if (!block.marker) problems.push(`${block.where}: a sh block without a <!-- docs-check: … --> marker`);
  }
  let ran = 0;
  if (runBlocks) {
    for (const block of blocks.filter((b) => b.marker && !b.marker.startsWith("skip"))) {
      console.log(`docs-check: ${block.where} (${block.marker})`);
      const failure = await runBlock(block);
      if (failure) problems.push(`${block.where} (${block.marker}) failed: ${failure.trim()}`);
      ran++;
    }
    if (devServer) await devServer.run.stop();
  }
  for (const problem of problems) console.error(`docs-check: ${problem}`);
  const skipped = blocks.filter((b) => b.marker?.startsWith("skip")).length;
  console.log(`docs-check: ${texts.size} pages, ${ran} blocks run, ${skipped} skipped with a reason, ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

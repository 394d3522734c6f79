// `npm start`'s build: src/**/*.ts -> dist/**/*.js with swc, file by file and without type
// checking, so a fresh clone answers within seconds. Types are checked by `npm run typecheck` and
// `npm run build` (tsc), which CI and the Docker image use. Options match jest.config.js, which
// runs the same code through swc: legacy decorators with metadata, no define semantics.
const { readdir, mkdir, rm, writeFile } = require("node:fs/promises");
const { dirname, join, relative } = require("node:path");
const { transformFile } = require("@swc/core");

const ROOT = join(__dirname, "..");
const SRC = join(ROOT, "src");
const DIST = join(ROOT, "dist");

async function sourceFiles(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
    }),
  );
  return nested.flat();
}

async function compile(file) {
  const out = join(DIST, relative(SRC, file)).replace(/\.ts$/, ".js");
  const { code, map } = await transformFile(file, {
    jsc: {
      parser: { syntax: "typescript", decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
      target: "es2022",
    },
    module: { type: "commonjs" },
    sourceMaps: true,
    outputPath: out,
  });
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${code}\n//# sourceMappingURL=${relative(dirname(out), out)}.map\n`);
  await writeFile(`${out}.map`, map);
}

async function main() {
  const started = Date.now();
  // A clean output: nothing compiled from a file that no longer exists is left behind.
  await rm(DIST, { recursive: true, force: true });
  const files = await sourceFiles(SRC);
  await Promise.all(files.map(compile));
  process.stdout.write(`build: ${files.length} files in ${Date.now() - started} ms (swc, no type check)\n`);
}

main().catch((error) => {
  process.stderr.write(`build: ${error.stack ?? error}\n`);
  process.exit(1);
});

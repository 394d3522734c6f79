#!/usr/bin/env node
// The import rules of src/ (README, "Architecture"), checked over every import and re-export,
// type-only ones included: a cycle of types is still a cycle in the design.
//   1. no import cycles, except inside src/embedded-mongo/query/ (the matcher and the
//      expression evaluator call each other by nature);
//   2. src/lib/ and src/infra/ never import src/modules/ or src/server/ (imports only go down);
//   3. src/embedded-mongo/ imports nothing from the app.
// Prints every violation and exits 1 when there is any.
const { readdirSync, readFileSync, existsSync, statSync } = require("node:fs");
const { dirname, join, relative, resolve } = require("node:path");
const ts = require("typescript");

const root = resolve(__dirname, "..");
const src = join(root, "src");

function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith(".")) return null;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, "index.ts")]) if (existsSync(candidate)) return candidate;
  if (existsSync(base) && statSync(base).isFile()) return base;
  return null;
}

function importsOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, false);
  const specifiers = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) {
      specifiers.push(node.name.text); // `declare module "../lib/x"` augments that file: an edge too
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0] ?? {})) {
      specifiers.push(node.arguments[0].text);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "require" && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.map((specifier) => resolveImport(file, specifier)).filter((target) => target && target.startsWith(src));
}

const rel = (file) => relative(root, file);
const files = filesUnder(src);
const graph = new Map(files.map((file) => [file, [...new Set(importsOf(file))]]));
const problems = [];

const layer = (file) => rel(file).split("/")[1];
for (const [file, targets] of graph) {
  for (const target of targets) {
    const [from, to] = [layer(file), layer(target)];
    if ((from === "lib" || from === "infra") && (to === "modules" || to === "server")) {
      problems.push(`${rel(file)} imports ${rel(target)}: ${from}/ must not import ${to}/`);
    }
    if (from === "embedded-mongo" && to !== "embedded-mongo") problems.push(`${rel(file)} imports ${rel(target)}: the engine imports nothing from the app`);
  }
}

// Tarjan's strongly connected components: every component of two or more files is a cycle.
const exempt = (file) => rel(file).startsWith("src/embedded-mongo/query/");
let counter = 0;
const index = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function strongConnect(file) {
  index.set(file, counter);
  low.set(file, counter++);
  stack.push(file);
  onStack.add(file);
  for (const target of graph.get(file) ?? []) {
    if (!index.has(target)) {
      strongConnect(target);
      low.set(file, Math.min(low.get(file), low.get(target)));
    } else if (onStack.has(target)) {
      low.set(file, Math.min(low.get(file), index.get(target)));
    }
  }
  if (low.get(file) === index.get(file)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const counted = component.filter((member) => !exempt(member));
    if (component.length > 1 && counted.length > 0) problems.push(`import cycle through ${component.length} files: ${component.map(rel).sort().join(", ")}`);
  }
}
for (const file of files) if (!index.has(file)) strongConnect(file);

for (const problem of problems) console.log(problem);
console.log(`imports: ${files.length} files, ${problems.length} problem(s)`);
process.exit(problems.length > 0 ? 1 : 0);

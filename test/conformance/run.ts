/**
 * Runs MongoDB's CRUD specification tests (unified test format) through the official driver
 * against the embedded engine: `npm run test:conformance [-- --filter <substring>] [--verbose]`.
 * The spec files live outside the repository (see MISSING_SPEC_HELP).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { adjustForDriver, driverDeviation } from "./driver-deviations";
import { describeError } from "./expect-error";
import { CrashGuard, within } from "./guard";
import { checkOperations, checkRequirements, type NotApplicable, type ServerInfo } from "./requirements";
import { formatFile, formatTotals, type FileReport, type TestStatus } from "./report";
import { runTest } from "./run-test";
import { describeServer, startServer, type ServerUnderTest } from "./server";
import { listSpecFiles, loadSpecFile, type SpecFile, type TestCase } from "./spec-files";

const DEFAULT_SPEC_DIR = "../shared/mongodb-crud-spec";
/** Highest unified test format version whose features this runner implements or rejects loudly. */
const SUPPORTED_SCHEMA = { major: 1, minor: 21 };
/** A test that has not finished by then is stuck on the server: fail it and restart the engine. */
const TEST_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

const MISSING_SPEC_HELP = (dir: string) => `No MongoDB CRUD spec tests found in ${dir}.

The conformance suite runs MongoDB's own CRUD specification tests: the JSON files of
source/crud/tests/unified/ in https://github.com/mongodb/specifications (unified test format).
They are not part of this repository (their license differs). Put those .json files in
${dir}
or point MONGO_SPEC_DIR at the folder that holds them, then run npm run test:conformance again.`;

function schemaSupported(version: string): boolean {
  const [major, minor = 0] = version.split(".").map(Number);
  return major === SUPPORTED_SCHEMA.major && minor <= SUPPORTED_SCHEMA.minor;
}

function notApplicable(file: SpecFile, test: TestCase, info: ServerInfo): NotApplicable | undefined {
  if (test.skipReason) return { category: "skipped by the spec file (skipReason)", detail: `skipReason: ${test.skipReason}` };
  return checkRequirements(file.runOnRequirements, info) ?? checkRequirements(test.runOnRequirements, info) ?? checkOperations(test.operations);
}

/** One engine per file, started fresh, and again after a test that hung. */
class Engines {
  private used = false;

  private constructor(private server: ServerUnderTest) {}

  static async start(): Promise<Engines> {
    return new Engines(await startServer());
  }

  current(): ServerUnderTest {
    return this.server;
  }

  async fresh(): Promise<ServerUnderTest> {
    if (this.used) await this.restart();
    this.used = true;
    return this.server;
  }

  async restart(): Promise<void> {
    await within(this.server.stop(), STOP_TIMEOUT_MS);
    this.server = await startServer();
  }

  async stop(): Promise<void> {
    await within(this.server.stop(), STOP_TIMEOUT_MS);
  }
}

async function runFile(file: SpecFile, engines: Engines, info: ServerInfo, guard: CrashGuard): Promise<FileReport> {
  if (!schemaSupported(file.schemaVersion)) {
    const reason = `runner: unsupported schemaVersion ${file.schemaVersion}`;
    return { file: file.name, tests: file.tests.map((t) => ({ test: t.description, result: { status: "failed", reason, events: [] } })) };
  }
  const planned = file.tests.map((test) => ({ test, skip: notApplicable(file, test, info) }));
  if (planned.some((p) => !p.skip)) await engines.fresh();
  const report: FileReport = { file: file.name, tests: [] };
  for (const { test, skip } of planned) {
    let result: TestStatus;
    if (skip) result = { status: "not-applicable", reason: skip };
    else {
      const run = await guard.run(runTest(file, adjustForDriver(test), engines.current()), TEST_TIMEOUT_MS);
      if ("done" in run) {
        const { failure, events } = run.done;
        result = failure === undefined ? { status: "passed", driverDeviation: driverDeviation(test.description) } : { status: "failed", reason: failure, events };
      } else {
        const cause = "timedOut" in run ? `timed out after ${TEST_TIMEOUT_MS / 1000} s` : `uncaught exception ${describeError(run.crashed)}`;
        result = { status: "failed", reason: `${cause} (engine restarted)`, events: [] };
        await engines.restart();
      }
    }
    report.tests.push({ test: test.description, result });
  }
  return report;
}

async function loadAndRunFile(specDir: string, name: string, engines: Engines, info: ServerInfo, guard: CrashGuard): Promise<FileReport> {
  let file: SpecFile;
  try {
    file = loadSpecFile(specDir, name);
  } catch (error) {
    const reason = `cannot read the file: ${(error as Error).message}`;
    return { file: name, tests: [{ test: "(whole file)", result: { status: "failed", reason, events: [] } }] };
  }
  return runFile(file, engines, info, guard);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { filter: { type: "string" }, verbose: { type: "boolean", default: false } },
  });
  const specDir = resolve(process.cwd(), process.env.MONGO_SPEC_DIR ?? DEFAULT_SPEC_DIR);
  if (!existsSync(specDir) || listSpecFiles(specDir).length === 0) {
    console.error(MISSING_SPEC_HELP(specDir));
    return 1;
  }
  const names = listSpecFiles(specDir, values.filter);
  if (names.length === 0) {
    console.error(`No spec file in ${specDir} matches --filter ${values.filter}.`);
    return 1;
  }
  const guard = new CrashGuard();
  const engines = await Engines.start();
  const reports: FileReport[] = [];
  try {
    const info = await describeServer(engines.current());
    for (const name of names) {
      const report = await loadAndRunFile(specDir, name, engines, info, guard);
      reports.push(report);
      for (const line of formatFile(report, values.verbose)) console.log(line);
    }
  } finally {
    await engines.stop();
  }
  for (const line of formatTotals(reports)) console.log(line);
  return reports.some((r) => r.tests.some((t) => t.result.status === "failed")) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

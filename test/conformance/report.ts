import type { NotApplicable } from "./requirements";

export type TestStatus =
  | { status: "passed"; driverDeviation?: string }
  | { status: "failed"; reason: string; events: string[] }
  | { status: "not-applicable"; reason: NotApplicable };

export interface TestReport {
  test: string;
  result: TestStatus;
}

export interface FileReport {
  file: string;
  tests: TestReport[];
}

/** Failure reasons stay on one line, whatever the server put in its messages. */
const oneLine = (text: string) => text.replace(/\s*\n\s*/g, " ");

/** The lines printed for one file: PASS or one FAIL per failed test, then the N/A tests. */
export function formatFile({ file, tests }: FileReport, verbose: boolean): string[] {
  const lines: string[] = [];
  const passed = tests.filter((t) => t.result.status === "passed").length;
  const failed = tests.flatMap((t) => (t.result.status === "failed" ? [{ test: t.test, ...t.result }] : []));
  const notApplicable = tests.flatMap((t) => (t.result.status === "not-applicable" ? [{ test: t.test, ...t.result }] : []));
  if (failed.length === 0 && passed > 0) lines.push(`PASS ${file} (${passed})`);
  for (const failure of failed) {
    lines.push(`FAIL ${file}: ${failure.test}: ${oneLine(failure.reason)}`);
    if (verbose) lines.push(...failure.events.map((event) => `    ${event}`));
  }
  for (const t of tests) {
    if (t.result.status === "passed" && t.result.driverDeviation) lines.push(`NOTE ${file}: ${t.test}: passed with the driver's deviation tolerated: ${t.result.driverDeviation}`);
  }
  const details = new Set(notApplicable.map((n) => n.reason.detail));
  if (notApplicable.length > 1 && notApplicable.length === tests.length && details.size === 1) {
    lines.push(`N/A ${file}: all ${tests.length} tests: ${[...details][0]}`);
  } else {
    for (const n of notApplicable) lines.push(`N/A ${file}: ${n.test}: ${n.reason.detail}`);
  }
  return lines;
}

/** The closing total line, then the not-applicable count broken down by reason. */
export function formatTotals(files: FileReport[]): string[] {
  const results = files.flatMap((f) => f.tests.map((t) => t.result));
  const passed = results.filter((r) => r.status === "passed").length;
  const failed = results.filter((r) => r.status === "failed").length;
  const byCategory = new Map<string, number>();
  for (const r of results) {
    if (r.status === "not-applicable") byCategory.set(r.reason.category, (byCategory.get(r.reason.category) ?? 0) + 1);
  }
  const notApplicable = [...byCategory.values()].reduce((a, b) => a + b, 0);
  const breakdown = [...byCategory].sort((a, b) => b[1] - a[1]).map(([category, count]) => `  ${count} ${category}`);
  const tolerated = results.filter((r) => r.status === "passed" && r.driverDeviation).length;
  return [
    `conformance: ${passed} passed, ${failed} failed`,
    ...(tolerated ? [`of which ${tolerated} passed with a known Node driver deviation tolerated (NOTE lines above)`] : []),
    `not applicable: ${notApplicable}`,
    ...breakdown,
  ];
}

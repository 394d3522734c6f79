import { formatFile, formatTotals, type FileReport } from "./report";

const newer = { category: "needs a newer server than the engine reports", detail: "requires server >= 8.0, engine reports 7.0.0" };
const failPoint = { category: "needs fail points (configureFailPoint)", detail: "uses failPoint" };

const files: FileReport[] = [
  { file: "a.json", tests: [{ test: "t1", result: { status: "passed" } }, { test: "t2", result: { status: "passed" } }] },
  {
    file: "b.json",
    tests: [
      { test: "ok", result: { status: "passed" } },
      { test: "broken", result: { status: "failed", reason: "result n: expected 1,\n got 2", events: ["client0 commandStartedEvent db.find {}"] } },
      { test: "fp", result: { status: "not-applicable", reason: failPoint } },
    ],
  },
  {
    file: "c.json",
    tests: [
      { test: "x", result: { status: "not-applicable", reason: newer } },
      { test: "y", result: { status: "not-applicable", reason: newer } },
    ],
  },
];

describe("conformance report", () => {
  it("prints PASS for a clean file and one FAIL line per failed test", () => {
    expect(formatFile(files[0], false)).toEqual(["PASS a.json (2)"]);
    expect(formatFile(files[1], false)).toEqual(["FAIL b.json: broken: result n: expected 1, got 2", "N/A b.json: fp: uses failPoint"]);
  });

  it("prints the command events of failed tests when verbose", () => {
    expect(formatFile(files[1], true)[1]).toBe("    client0 commandStartedEvent db.find {}");
  });

  it("folds a file whose tests are all not applicable for one reason into one line", () => {
    expect(formatFile(files[2], false)).toEqual(["N/A c.json: all 2 tests: requires server >= 8.0, engine reports 7.0.0"]);
  });

  it("totals passed and failed, then not applicable by reason", () => {
    expect(formatTotals(files)).toEqual([
      "conformance: 3 passed, 1 failed",
      "not applicable: 3",
      "  2 needs a newer server than the engine reports",
      "  1 needs fail points (configureFailPoint)",
    ]);
  });
});

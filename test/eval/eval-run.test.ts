import { runEval, table } from "../../eval/run";

describe("npm run eval", () => {
  it("ingests the gold documents through the API and prints every figure for a quick run", async () => {
    const figures = await runEval({ provider: "offline", ranking: "hybrid", questions: 2 });
    const printed = table([figures]);
    for (const name of [
      "retrieval recall@1",
      "retrieval recall@5",
      "retrieval MRR@10",
      "citation precision",
      "citation recall",
      "strict refusal precision",
      "strict refusal recall",
      "answer token F1",
    ]) {
      expect(printed).toMatch(new RegExp(`${name}\\s+\\d\\.\\d\\d`));
    }
    // Two answerable and two unanswerable questions of each of the two documents.
    expect(printed).toMatch(/questions \(answerable\/not\)\s+4\/4/);
  }, 120_000);
});

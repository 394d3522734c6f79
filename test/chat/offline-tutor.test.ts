import { extractiveAnswer } from "../../src/infra/ai/offline/answer";
import type { TutorAnswerTask } from "../../src/infra/ai/prompts";

function ask(question: string, texts: string[]): string {
  const task: TutorAnswerTask = { kind: "tutorAnswer", question, passages: texts.map((text) => ({ text })), history: [], mode: "STRICT" };
  return extractiveAnswer(task);
}

describe("the offline tutor's choice of passage", () => {
  test("where its best sentences end a passage, it quotes the retrieved passage that continues them", () => {
    // Two overlapping passages, as the chunker cuts them: the section's first lines end the first one.
    const first = "The Held list shows packages on hold.\n\nFinal summary\n\nFinally, APT prints a summary of the changes.";
    const second = "Final summary\n\nFinally, APT prints a summary of the changes.\n\nThe second line of the summary counts the broken packages.";
    expect(ask("What does the final summary of APT show?", [first, second])).toContain("[2]");
    // A passage whose best sentences are followed by more of its own text is kept.
    expect(ask("What does the Held list show?", [first, second])).toContain("[1]");
  });

  test("a number in brackets in the material is quoted in parentheses, never read as a citation", () => {
    const answer = ask("What should be done first before using apt-get?", ["The first ^[1] thing to be done before using apt-get is apt-get update."]);
    expect(answer).toContain("^(1) thing");
    expect(answer.match(/\[\d+\]/g)).toEqual(["[1]"]);
  });
});

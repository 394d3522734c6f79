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

  test("of passages holding as many of the question's terms, it quotes the one holding its phrases of common words", () => {
    // "kept" and "back" are too common to be key terms; "Kept Back list" as the question words it tells the passages apart.
    const lists = "The Upgraded list shows the packages to be upgraded. The Held list shows the packages that are held.";
    const keptBack = "A package that cannot be upgraded without removing another one is kept back: it appears in the Kept Back list.";
    expect(ask("When does a package appear in the Kept Back list?", [lists, keptBack])).toContain("[2]");
    // Without those words in the question, the higher-ranked passage is quoted, as before.
    expect(ask("Which packages does the list show?", [lists, keptBack])).toContain("[1]");
  });

  test("a GNU Info node header or menu, naming sections, is never quoted as a sentence", () => {
    const node = "File: sed.info,  Node: Exit status,  Prev: Command-Line Options,  Up: Invoking sed\n\n" +
      "2.3 Exit status\n\nAn exit status of zero indicates success, and a nonzero value indicates failure.";
    const answer = ask("Which exit status does sed return on success?", [node]);
    expect(answer).toContain("> An exit status of zero indicates success, and a nonzero value indicates failure. [1]");
    expect(answer).not.toContain("File: sed.info");
    // Nor is a menu of the nodes below, which names them.
    const menu = "* Menu:\n\n* Execution Cycle:: How sed works * Hold and Pattern Buffers::\n\nsed maintains two data buffers: the pattern space and the hold space.";
    expect(ask("What are the two buffers sed keeps?", [menu])).toBe(
      "From your material:\n\n> sed maintains two data buffers: the pattern space and the hold space. [1]\n\n(Offline tutor: these are the sentences that best match your question, quoted as written.)",
    );
  });

  test("a number in brackets in the material is quoted in parentheses, never read as a citation", () => {
    const answer = ask("What should be done first before using apt-get?", ["The first ^[1] thing to be done before using apt-get is apt-get update."]);
    expect(answer).toContain("^(1) thing");
    expect(answer.match(/\[\d+\]/g)).toEqual(["[1]"]);
  });
});

import {
  citationScores,
  claimQuoteScores,
  firstGoldRank,
  isGoldPassage,
  meanTokenF1,
  quoteScores,
  refusalScores,
  retrievalScores,
  tokenF1,
  type AnswerOutcome,
  type GoldQuestion,
} from "../../eval/scoring";

const pdfQuestion: GoldQuestion = { id: "p", document: "d", question: "q", answerable: true, answer: "Ian Murdock in 1993", pages: [10] };
const textQuestion: GoldQuestion = { id: "t", document: "d", question: "q", answerable: true, answer: "-d", evidence: "The most useful option is -d" };
const unanswerable: GoldQuestion = { id: "u", document: "d", question: "q", answerable: false };

describe("gold passages", () => {
  it("a PDF passage is gold when its page range overlaps a gold page", () => {
    expect(isGoldPassage({ pageStart: 9, pageEnd: 10 }, pdfQuestion)).toBe(true);
    expect(isGoldPassage({ pageStart: 10, pageEnd: null }, pdfQuestion)).toBe(true);
    expect(isGoldPassage({ pageStart: 11, pageEnd: 12 }, pdfQuestion)).toBe(false);
  });

  it("a passage without pages is gold when it holds the evidence, whatever the case, punctuation and line breaks", () => {
    expect(isGoldPassage({ text: "apt-get has options.\nThe most\nuseful option is -d which…" }, textQuestion)).toBe(true);
    expect(isGoldPassage({ text: "The most useful option is -f" }, textQuestion)).toBe(false);
    expect(isGoldPassage({}, textQuestion)).toBe(false);
  });
});

describe("retrieval scores", () => {
  it("finds the first gold passage of a ranking", () => {
    expect(firstGoldRank([{ pageStart: 3 }, { pageStart: 10 }, { pageStart: 10 }], pdfQuestion)).toBe(1);
    expect(firstGoldRank([{ pageStart: 3 }], pdfQuestion)).toBe(-1);
  });

  it("computes recall@1, recall@5 and MRR@10 from the ranks", () => {
    // ranks 0, 1, 6, 12 and none: recall@1 1/5, recall@5 2/5, MRR (1 + 1/2 + 1/7) / 5
    const scores = retrievalScores([0, 1, 6, 12, -1]);
    expect(scores.recallAt1).toBeCloseTo(0.2);
    expect(scores.recallAt5).toBeCloseTo(0.4);
    expect(scores.mrrAt10).toBeCloseTo((1 + 1 / 2 + 1 / 7) / 5);
  });
});

describe("answer scores", () => {
  const outcomes: AnswerOutcome[] = [
    { question: pdfQuestion, refused: false, text: "Ian Murdock created it in 1993 [1].", citations: [{ pageStart: 10, pageEnd: 10 }, { pageStart: 30, pageEnd: 30 }] },
    { question: textQuestion, refused: false, text: "Use -f [1].", citations: [{ text: "Use -f to fix" }] },
    { question: { ...pdfQuestion, id: "p2" }, refused: true, text: "I don't have that information in the provided context.", citations: [] },
    { question: unanswerable, refused: true, text: "I don't have that information in the provided context.", citations: [] },
    { question: { ...unanswerable, id: "u2" }, refused: false, text: "Something [1].", citations: [{ pageStart: 1 }] },
  ];

  it("citation precision counts gold citations of answered answerable questions; recall counts answers citing a gold passage", () => {
    const scores = citationScores(outcomes);
    expect(scores.citations).toBe(3);
    expect(scores.precision).toBeCloseTo(1 / 3);
    expect(scores.answers).toBe(2);
    expect(scores.recall).toBeCloseTo(1 / 2);
  });

  it("a quote counts when it is in the cited passage (line breaks and case aside) and the answer uses it", () => {
    const passage = "Debian was created by Ian\nMurdock in 1993. It is developed by volunteers.";
    const quoted = (quote: string, text = "Debian was created by Ian Murdock in 1993 [1]."): AnswerOutcome => ({
      question: pdfQuestion,
      refused: false,
      text,
      citations: [{ pageStart: 10, text: passage, quote }],
    });
    expect(quoteScores([quoted("Debian was created by Ian Murdock in 1993.")])).toEqual({ share: 1, quotes: 1 });
    // The passage's other sentence: in the passage, but not what the answer says.
    expect(quoteScores([quoted("It is developed by volunteers.")]).share).toBe(0);
    // Not a sentence of the cited passage.
    expect(quoteScores([quoted("Debian was created in 1993 by Ian Murdock.")]).share).toBe(0);
    // Refusals and unanswerable questions are not counted.
    expect(quoteScores([{ ...quoted("It is developed by volunteers."), question: unanswerable }, { ...quoted("x"), refused: true }]).quotes).toBe(0);
  });

  it("claim by claim, a quote counts when it is in the cited passage and the sentence citing it uses it", () => {
    const passage = "Debian was created by Ian\nMurdock in 1993. It is developed by volunteers.";
    const claim = (text: string, quote: string) => ({ text, citations: [{ pageStart: 10, text: passage, quote }] });
    const answer = (...claims: ReturnType<typeof claim>[]): AnswerOutcome => ({
      question: pdfQuestion,
      refused: false,
      text: claims.map((c) => c.text).join(" "),
      citations: claims.flatMap((c) => c.citations),
      claims,
    });
    expect(claimQuoteScores([answer(claim("Debian was created by Ian Murdock in 1993 [1].", "Debian was created by Ian Murdock in 1993."))])).toEqual({ share: 1, quotes: 1 });
    // Used by the answer, but by another of its sentences than the one citing it.
    const crossed = answer(claim("Debian was created by Ian Murdock in 1993 [1].", "It is developed by volunteers."), claim("It is developed by volunteers.", "Debian was created by Ian Murdock in 1993."));
    expect(quoteScores([crossed]).share).toBe(1);
    expect(claimQuoteScores([crossed])).toEqual({ share: 0, quotes: 2 });
    // Refusals are not counted; an answer without claims has none to count.
    expect(claimQuoteScores([{ ...crossed, refused: true }, { ...crossed, claims: undefined }]).quotes).toBe(0);
  });

  it("refusal precision and recall are over the unanswerable questions", () => {
    const scores = refusalScores(outcomes);
    expect(scores.precision).toBeCloseTo(1 / 2);
    expect(scores.recall).toBeCloseTo(1 / 2);
    expect(scores.answeredUnanswerable).toBe(1);
    expect(scores.refusedAnswerable).toBe(1);
  });

  it("token F1 follows SQuAD: case, punctuation, articles and citation marks do not count", () => {
    expect(tokenF1("The Ian Murdock, in 1993! [1]", "Ian Murdock in 1993")).toBe(1);
    // predicted: ian murdock created it in 1993 (6), gold: ian murdock in 1993 (4), common 4
    expect(tokenF1("Ian Murdock created it in 1993 [1].", "Ian Murdock in 1993")).toBeCloseTo((2 * (4 / 6) * 1) / (4 / 6 + 1));
    expect(tokenF1("nothing alike", "Ian Murdock")).toBe(0);
    expect(tokenF1("", "")).toBe(1);
  });

  it("mean token F1 is over answerable questions, a refusal scoring 0", () => {
    const f1 = (4 / 6 * 2) / (4 / 6 + 1);
    expect(meanTokenF1(outcomes)).toBeCloseTo((f1 + tokenF1("Use -f [1].", "-d") + 0) / 3);
  });
});

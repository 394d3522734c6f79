import { Types } from "mongoose";
import { recentHistory } from "../../src/modules/chat/chat.history";
import { ChatRole } from "../../src/modules/chat/chat.model";
import { answerSentences, citationsFrom, claimsFrom } from "../../src/modules/chat/chat.retrieval";
import { SourceType } from "../../src/modules/search/embedding.model";
import { SearchRanking, type SearchHit } from "../../src/modules/search/search.types";

function hit(text: string, page: number): SearchHit {
  return {
    score: 0.8,
    rankings: [SearchRanking.VECTOR],
    toc: false,
    text,
    highlight: text,
    source: { type: SourceType.UPLOAD, id: new Types.ObjectId(), title: "notes" },
    pageStart: page,
    pageEnd: page,
    heading: "",
    chunkIndex: page - 1,
  };
}

const hits = [
  hit("Cells divide by mitosis. Mitochondria make ATP from glucose and oxygen.", 1),
  hit("Plants use chlorophyll. Photosynthesis stores light energy as glucose.", 2),
];

describe("citationsFrom", () => {
  test("keeps cited passages in number order with their source and pages", () => {
    const citations = citationsFrom("Plants store light as glucose [2]. Mitochondria make ATP [1].", hits);
    expect(citations.map((c) => [c.index, c.page_start, c.source_id])).toEqual([
      [1, 1, hits[0].source.id],
      [2, 2, hits[1].source.id],
    ]);
  });

  test("drops numbers that point to no retrieved passage, and reads lists like [1, 2] and [1; 3]", () => {
    expect(citationsFrom("A [0]. B [3]. C [12]. None here.", hits)).toEqual([]);
    expect(citationsFrom("Both [1, 2]. Again [1; 3].", hits).map((c) => c.index)).toEqual([1, 2]);
    expect(citationsFrom("No citations at all.", hits)).toEqual([]);
  });

  test("quotes the passage's sentence closest to what the citing sentences say", () => {
    const [citation] = citationsFrom("The cell's ATP comes from mitochondria using oxygen [1].", hits);
    expect(citation.quote).toBe("Mitochondria make ATP from glucose and oxygen.");
  });
});

describe("recentHistory", () => {
  const message = (role: ChatRole, content: string) => ({ role, content });

  test("takes the newest turns that fit the token budget and returns them oldest first", () => {
    const newestFirst = [
      message(ChatRole.ASSISTANT, "a".repeat(40)),
      message(ChatRole.USER, "b".repeat(40)),
      message(ChatRole.ASSISTANT, "c".repeat(40)),
    ];
    expect(recentHistory(newestFirst, 20)).toEqual([
      { role: "user", text: "b".repeat(40) },
      { role: "assistant", text: "a".repeat(40) },
    ]);
    expect(recentHistory(newestFirst, 0)).toEqual([]);
  });

  test("leaves out empty texts (answers that failed before writing)", () => {
    expect(recentHistory([message(ChatRole.ASSISTANT, ""), message(ChatRole.USER, "hi")], 100)).toEqual([{ role: "user", text: "hi" }]);
  });
});

describe("claims and quotes", () => {
  test("a quote never runs a heading or a paragraph into its sentence, and joins words a line break hyphenated", () => {
    const sections = [hit("Downloading only\n\nThe -d option makes apt-get down-\nload the files only.", 1)];
    const [citation] = citationsFrom("The -d option makes apt-get download the files only. [1]", sections);
    expect(citation.quote).toBe("The -d option makes apt-get download the files only.");
  });

  test("a citation mark after the full stop stays with its sentence, and the quote is the passage's sentence the claim uses", () => {
    const [citation] = citationsFrom("Photosynthesis stores light energy as glucose. [2]", hits);
    expect(citation.quote).toBe("Photosynthesis stores light energy as glucose.");
    expect(answerSentences("Photosynthesis stores light energy. [2] Cells divide. [1]")).toEqual(["Photosynthesis stores light energy. [2]", "Cells divide. [1]"]);
  });

  test("quoted lines of the offline tutor are claims with their citation; framing lines are not", () => {
    const answer = "From your material:\n\n> Mitochondria make ATP from glucose and oxygen. [1]\n>\n> Plants use chlorophyll. [2]\n\n(Offline tutor: these are quotes.)";
    const claims = claimsFrom(answer, hits);
    expect(claims.map((claim) => [claim.text, claim.citations.map((c) => c.index)])).toEqual([
      ["Mitochondria make ATP from glucose and oxygen. [1]", [1]],
      ["Plants use chlorophyll. [2]", [2]],
    ]);
    expect(claims[1].citations[0].quote).toBe("Plants use chlorophyll.");
  });

  test("a claim quoting a heading has the heading as its quote, not a longer sentence with the same words", () => {
    const lists = [hit("The Remove list shows the packages that will be removed.\n\nThe New list\n\nThe New list is a reminder.", 1)];
    const claims = claimsFrom("> The Remove list shows the packages that will be removed. [1]\n>\n> The New list [1]", lists);
    expect(claims.map((claim) => claim.citations[0].quote)).toEqual(["The Remove list shows the packages that will be removed.", "The New list"]);
  });

  test("a sentence that states something without citing is a claim with no citations", () => {
    expect(claimsFrom("Glucose is sweet. Cells divide [1].", hits).map((claim) => claim.citations.length)).toEqual([0, 1]);
  });
});

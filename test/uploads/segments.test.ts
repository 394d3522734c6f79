import { segmentsOf } from "../../src/lib/segments";

const sentences = new Intl.Segmenter("en", { granularity: "sentence" });
const words = new Intl.Segmenter("en", { granularity: "word" });

/** What the segmenter gives for the whole string at once, offsets included. */
const whole = (segmenter: Intl.Segmenter, text: string) => [...segmenter.segment(text)].map(({ segment, index }) => ({ segment, index }));
const windowed = (segmenter: Intl.Segmenter, text: string) => [...segmentsOf(segmenter, text)].map(({ segment, index }) => ({ segment, index }));

function paragraph(length: number): string {
  const parts: string[] = [];
  for (let i = 0; parts.join(" ").length < length; i++) {
    parts.push(i % 7 === 0 ? `See e.g. the note on item ${i}, which costs 3.5 units.` : `Séance ${i} ends here! Does it? "Yes," said 😀 ${i}.`);
  }
  return parts.join(" ");
}

describe("segmenting long text in windows", () => {
  it("gives the same sentences and offsets as one pass over a 60,000-character paragraph", () => {
    const text = paragraph(60_000);
    expect(windowed(sentences, text)).toEqual(whole(sentences, text));
  });

  it("gives the same words over long text, and covers text with no white space without splitting a surrogate pair", () => {
    const text = paragraph(30_000);
    expect(windowed(words, text)).toEqual(whole(words, text));
    const unbroken = "😀".repeat(9_000) + "x";
    expect(windowed(words, unbroken).map(({ segment }) => segment).join("")).toBe(unbroken);
    expect(windowed(words, unbroken).every(({ segment }) => !/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(segment))).toBe(true);
  });

  it("keeps short text to a single pass", () => {
    expect(windowed(sentences, "One. Two.")).toEqual(whole(sentences, "One. Two."));
    expect(windowed(sentences, "")).toEqual([]);
  });
});

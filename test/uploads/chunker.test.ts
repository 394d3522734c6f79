import { chunkDocument, documentText } from "../../src/modules/uploads/chunker";
import type { TextBlock } from "../../src/modules/uploads/extracted";
import { checkZipArchive } from "../../src/modules/uploads/zip-limits";
import { zip } from "./fixtures";

const sentence = (i: number) => `Sentence number ${i} talks about a subject in plain words.`;

test("chunks keep to about the target length, end on sentence boundaries and point into the document text", () => {
  const blocks: TextBlock[] = [{ text: Array.from({ length: 60 }, (_, i) => sentence(i)).join(" ") }];
  const text = documentText(blocks);
  const chunks = chunkDocument(blocks, { targetLength: 300, overlap: 80 });
  expect(chunks.length).toBeGreaterThan(5);
  for (const chunk of chunks) {
    expect(chunk.text).toBe(text.slice(chunk.charStart, chunk.charEnd));
    expect(chunk.text.length).toBeLessThanOrEqual(300);
    expect(chunk.text).toMatch(/^Sentence number \d+/);
    expect(chunk.text).toMatch(/words\.$/);
  }
  expect(chunks.map((chunk) => chunk.index)).toEqual(chunks.map((_, i) => i));
  // Consecutive chunks overlap by whole sentences, and move forward.
  for (let i = 1; i < chunks.length; i++) {
    expect(chunks[i].charStart).toBeLessThan(chunks[i - 1].charEnd);
    expect(chunks[i].charStart).toBeGreaterThan(chunks[i - 1].charStart);
    expect(chunks[i - 1].charEnd - chunks[i].charStart).toBeLessThanOrEqual(80);
  }
  expect(chunks.at(-1)!.charEnd).toBe(text.length);
});

test("an overlong sentence is cut at spaces, never inside a word", () => {
  const words = Array.from({ length: 400 }, (_, i) => `word${i}`);
  const chunks = chunkDocument([{ text: words.join(" ") }], { targetLength: 200, overlap: 0 });
  const seen = chunks.flatMap((chunk) => chunk.text.split(" "));
  expect(seen).toEqual(words);
});

test("headings start new chunks (with the headings above them) and give each its path; pages give each its range", () => {
  const blocks: TextBlock[] = [
    { text: "Biology", headingLevel: 1, page: 1 },
    { text: "Cells", headingLevel: 2, page: 1 },
    { text: "Cells are small.", page: 1 },
    { text: "Genes", headingLevel: 2, page: 2 },
    { text: "Genes carry code.", page: 2 },
    { text: "Physics", headingLevel: 1, page: 3 },
    { text: "Force is mass times acceleration.", page: 3 },
  ];
  const chunks = chunkDocument(blocks);
  expect(chunks.map((chunk) => [chunk.heading, chunk.pageStart, chunk.pageEnd])).toEqual([
    ["Biology > Cells", 1, 1],
    ["Biology > Genes", 2, 2],
    ["Physics", 3, 3],
  ]);
  expect(chunks[0].text).toBe("Biology\n\nCells\n\nCells are small.");
});

test("a document without text has no chunks", () => {
  expect(chunkDocument([])).toEqual([]);
  expect(chunkDocument([{ text: "   " }])).toEqual([]);
});

test("ZIP archives are checked from their central directory: ratio, total size, entry count, ZIP64", () => {
  expect(() => checkZipArchive(zip([{ name: "a.xml", data: Buffer.from("<a>hello</a>") }]))).not.toThrow();
  const bomb = zip([{ name: "a.xml", data: Buffer.alloc(10 * 1024 * 1024) }]);
  expect(() => checkZipArchive(bomb)).toThrow(/safe ratio/);
  const many = zip(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: Buffer.from(`file ${i}`) })));
  expect(() => checkZipArchive(many, { maxEntries: 10, maxTotalUncompressed: 1e9, maxRatio: 1e9 })).toThrow(/20 entries/);
  expect(() => checkZipArchive(many, { maxEntries: 100, maxTotalUncompressed: 50, maxRatio: 1e9 })).toThrow(/safe size/);
  const zip64 = Buffer.from(many);
  zip64.writeUInt16LE(0xffff, zip64.length - 22 + 10);
  expect(() => checkZipArchive(zip64)).toThrow(/ZIP64/);
  expect(() => checkZipArchive(Buffer.from("PK\x03\x04 truncated"))).toThrow(/not a complete ZIP/);
});

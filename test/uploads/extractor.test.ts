import { extractInWorker } from "../../src/modules/uploads/extractor";
import { makeDocx, makePdf, makePdfBomb, PDF_PAGES } from "./fixtures";

const limits = { timeoutMs: 30_000, maxHeapMb: 256, maxTextLength: 1_000_000 };

test("PDF pages and DOCX headings come out of the worker", async () => {
  const pdf = await extractInWorker("pdf", await makePdf(), limits);
  expect(pdf.pageCount).toBe(PDF_PAGES.length);
  expect(new Set(pdf.blocks.map((block) => block.page))).toEqual(new Set([1, 2, 3, 4]));
  const docx = await extractInWorker("docx", await makeDocx(), limits);
  expect(docx.blocks.slice(0, 3)).toEqual([
    { text: "Astronomy", headingLevel: 1 },
    { text: "The Moon", headingLevel: 2 },
    { text: expect.stringContaining("The Moon orbits") },
  ]);
});

test("a file that takes too long is stopped at the deadline", async () => {
  await expect(extractInWorker("pdf", await makePdf(), { ...limits, timeoutMs: 5 })).rejects.toMatchObject({
    message: expect.stringMatching(/took longer than/),
    extensions: { code: "BAD_USER_INPUT" },
  });
});

test("a file that needs more memory than the worker may use fails instead of growing the process", async () => {
  const pages = Array.from({ length: 400 }, (_, i) => `${PDF_PAGES[i % 4]} `.repeat(10));
  await expect(extractInWorker("pdf", await makePdf(pages), { ...limits, maxHeapMb: 8 })).rejects.toMatchObject({
    message: expect.stringMatching(/more memory than allowed/),
  });
}, 30_000);

test("extracted text is capped", async () => {
  const document = await extractInWorker("pdf", await makePdf(), { ...limits, maxTextLength: PDF_PAGES[0].length + 10 });
  expect(document.blocks.map((block) => block.page)).toEqual([1]);
});

test("a 33 KB PDF whose page inflates to 32 MiB is refused before pdf.js reads it", async () => {
  const bomb = makePdfBomb();
  expect(bomb.length).toBeLessThan(64 * 1024);
  await expect(extractInWorker("pdf", bomb, limits)).rejects.toMatchObject({
    message: expect.stringMatching(/PDF file cannot be read safely: one stream inflates to more than 16777216 bytes/),
    extensions: { code: "UNSUPPORTED_MEDIA_TYPE" },
  });
});

test("a PDF whose text outgrows the heap ends only its own process, not this one", async () => {
  const before = process.memoryUsage.rss();
  await expect(extractInWorker("pdf", makePdfBomb(12 * 1024 * 1024), { ...limits, maxHeapMb: 64 })).rejects.toMatchObject({
    message: expect.stringMatching(/more memory than allowed/),
    extensions: { code: "BAD_USER_INPUT" },
  });
  expect(process.memoryUsage.rss() - before).toBeLessThan(200 * 1024 * 1024);
}, 60_000);

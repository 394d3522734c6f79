import { deflateRawSync, deflateSync } from "node:zlib";
import { Document, HeadingLevel, Packer, Paragraph } from "docx";
import PDFDocument from "pdfkit";

const TOPICS = [
  "Photosynthesis turns light into chemical energy. Chlorophyll in the leaves absorbs sunlight and plants store it as glucose.",
  "Mitochondria are the powerhouse of the cell. They produce ATP through cellular respiration using oxygen.",
  "Plate tectonics explains earthquakes and volcanoes. The lithosphere is broken into plates that drift over the mantle.",
  "The French Revolution began in 1789. The storming of the Bastille marked the fall of the old monarchy.",
];

/** One topic per page, no page mentioning another's; each page over half a chunk, so chunks keep to one page. */
export const PDF_PAGES = TOPICS.map((topic) => `${topic} ${topic.split(". ")[0]} again, said in other words. `.repeat(4).trim());

/** A PDF with `pages` pages of text (PDF_PAGES repeated), or without any text when `pages` is given as images only. */
export function makePdf(pages: string[] = PDF_PAGES, options: { imageOnly?: boolean } = {}): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, compress: false });
  const parts: Buffer[] = [];
  doc.on("data", (part: Buffer) => parts.push(part));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(parts))));
  for (const text of pages) {
    doc.addPage();
    if (options.imageOnly) doc.rect(50, 50, 200, 100).fill("#333");
    else doc.fontSize(12).text(text, { width: 450 });
  }
  doc.end();
  return done;
}

export const DOCX_SECTIONS = [
  { heading: "Astronomy", sub: "The Moon", text: "The Moon orbits the Earth every 27 days and causes the ocean tides." },
  { heading: "Astronomy", sub: "Jupiter", text: "Jupiter is the largest planet, a gas giant with a great red storm." },
  { heading: "Cooking", sub: "Bread", text: "Bread dough rises because yeast ferments sugar into carbon dioxide." },
];

/** A DOCX of `sections` (DOCX_SECTIONS by default): a level-1 heading where it changes, a level-2 heading and a paragraph each. */
export function makeDocx(sections: { heading: string; sub: string; text: string }[] = DOCX_SECTIONS): Promise<Buffer> {
  const children: Paragraph[] = [];
  let current = "";
  for (const section of sections) {
    if (section.heading !== current) {
      children.push(new Paragraph({ text: section.heading, heading: HeadingLevel.HEADING_1 }));
      current = section.heading;
    }
    children.push(new Paragraph({ text: section.sub, heading: HeadingLevel.HEADING_2 }));
    children.push(new Paragraph({ text: section.text }));
  }
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

/** A ZIP whose one entry declares (and really holds) far more bytes than it occupies: a zip bomb. */
export function makeZipBomb(): Buffer {
  const content = Buffer.alloc(50 * 1024 * 1024, 0x41);
  return zip([{ name: "word/document.xml", data: content }]);
}

/** A minimal ZIP archive (deflate), enough to test the central directory checks. */
export function zip(entries: { name: string; data: Buffer }[]): Buffer {
  return zipOfDeflated(entries.map((entry) => ({ name: entry.name, compressed: deflateRawSync(entry.data), declaredSize: entry.data.length })));
}

/** A ZIP of entries already deflated, each declaring `declaredSize` inflated bytes in both its headers (true or not). */
export function zipOfDeflated(entries: { name: string; compressed: Buffer; declaredSize: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const { compressed, declaredSize } = entry;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(declaredSize, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * A small PDF whose one page's content stream inflates to `inflatedBytes`: a single text string
 * pdf.js turns into one glyph object per character (the 33 KB file that ended the process).
 */
export function makePdfBomb(inflatedBytes = 32 * 1024 * 1024): Buffer {
  const text = Buffer.concat([Buffer.from("BT /F1 12 Tf 72 720 Td ("), Buffer.alloc(inflatedBytes, 0x41), Buffer.from(") Tj ET")]);
  const stream = deflateSync(text, { level: 9 });
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    Buffer.concat([Buffer.from(`<< /Length ${stream.length} /Filter /FlateDecode >>\nstream\n`), stream, Buffer.from("\nendstream")]),
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  const parts: Buffer[] = [Buffer.from("%PDF-1.4\n")];
  const offsets: number[] = [];
  let length = parts[0].length;
  objects.forEach((body, i) => {
    offsets.push(length);
    const object = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.from(body), Buffer.from("\nendobj\n")]);
    parts.push(object);
    length += object.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n`, "0000000000 65535 f \n", ...offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`)].join("");
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`));
  return Buffer.concat(parts);
}

import { Document, Packer, Paragraph } from "docx";
import PDFDocument from "pdfkit";

/** A small book: four chapters of two pages, each page carrying the running header and a page number. */
export const RUNNING_HEADER = "Field Guide to Everyday Science";
/** The odd pages' header when headers alternate, as in a printed book. */
export const AUTHOR_HEADER = "Ada Fields, Second Edition";

export const CHAPTERS = [
  {
    title: "Light and Leaves",
    /** As the outlined edition writes it: sentence case, which only the outline tells from a sentence. */
    sentenceCase: "Light and leaves",
    pages: [
      [
        "Photosynthesis turns light into chemical energy inside the chloroplasts of green leaves. Chlorophyll shows how a leaf does its work, because chlorophyll absorbs the sunlight that drives the whole process.",
        "The leaf takes carbon dioxide from the air through tiny pores called stomata. Water rises from the roots through the xylem and reaches every leaf cell.",
      ],
      [
        "In the light reactions the thylakoid membranes split water and release oxygen. The Calvin cycle then fixes carbon into glucose in the stroma of the chloroplast.",
        "Plants store the glucose as starch in roots and seeds. Gardeners notice that pale leaves lacking chlorophyll grow slowly in shade.",
      ],
    ],
  },
  {
    title: "The Powerhouse of the Cell",
    /** As the outlined edition writes it: sentence case, which only the outline tells from a sentence. */
    sentenceCase: "The powerhouse of the cell",
    pages: [
      [
        "Mitochondria produce most of the energy a cell uses. Cellular respiration in the mitochondria burns glucose with oxygen and stores the energy as adenosine triphosphate.",
        "The inner membrane of the mitochondrion folds into cristae. Enzymes along the cristae pump protons and drive the synthase that makes the energy carrier.",
      ],
      [
        "Muscle fibres contain thousands of mitochondria because running and lifting need steady energy. Without oxygen the muscle switches to fermentation and lactate builds up.",
        "Mitochondria carry their own small genome inherited from the mother. Biologists think they descend from bacteria engulfed by an ancient host cell.",
      ],
    ],
  },
  {
    title: "Moving Continents",
    /** As the outlined edition writes it: sentence case, which only the outline tells from a sentence. */
    sentenceCase: "How continents move",
    pages: [
      [
        "Plate tectonics explains earthquakes, volcanoes and the shape of the continents. The lithosphere is broken into rigid plates that drift slowly over the softer mantle.",
        "Where plates pull apart, magma rises along the ridges of the ocean floor. Geologists map magnetic stripes in the basalt on either side of each ridge.",
      ],
      [
        "Where an oceanic plate sinks beneath a continent, a trench forms and volcanoes line the coast. The Andes rose above such a subduction zone.",
        "Colliding continents crumple into mountain ranges like the Himalaya. Fossils of the same reptiles on distant continents first hinted at continental drift.",
      ],
    ],
  },
  {
    title: "The Fall of the Bastille",
    /** As the outlined edition writes it: sentence case, which only the outline tells from a sentence. */
    sentenceCase: "The fall of the Bastille",
    pages: [
      [
        "The French Revolution began in 1789 when bread prices soared and the treasury ran empty. Deputies of the Third Estate swore the Tennis Court Oath at Versailles.",
        "Crowds in Paris feared that the king would dissolve the assembly. They searched the city for muskets and gunpowder to defend the neighbourhoods.",
      ],
      [
        "On the fourteenth of July the crowd stormed the Bastille, a fortress prison holding gunpowder. The governor surrendered and the monarchy lost control of the capital.",
        "Peasants in the provinces burned manor records during the Great Fear. The assembly soon abolished feudal privileges and declared the rights of man.",
      ],
    ],
  },
];

/**
 * The book as a PDF: a running header at the top of every page, "Page n" at the bottom, and each
 * chapter's title in large type atop its first page. With `alternateHeaders`, odd pages carry
 * the author instead of the title. With `outline`, the titles are in sentence
 * case (nothing in the text marks them as headings) and bookmarked in the PDF's outline.
 */
export function makeBookPdf(options: { outline: boolean; alternateHeaders?: boolean }): Promise<Buffer> {
  const doc = new PDFDocument({ autoFirstPage: false, compress: false });
  const parts: Buffer[] = [];
  doc.on("data", (part: Buffer) => parts.push(part));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(parts))));
  let page = 0;
  for (const chapter of CHAPTERS) {
    for (const [k, paragraphs] of chapter.pages.entries()) {
      doc.addPage();
      page += 1;
      doc.fontSize(9).text(options.alternateHeaders && page % 2 === 1 ? AUTHOR_HEADER : RUNNING_HEADER, 72, 36, { lineBreak: false });
      doc.x = 72;
      doc.y = 90;
      if (k === 0) {
        const title = options.outline ? chapter.sentenceCase : chapter.title;
        doc.fontSize(20).text(title, { width: 450 });
        if (options.outline) doc.outline.addItem(title);
        doc.moveDown(0.5);
      }
      for (const paragraph of paragraphs) {
        doc.fontSize(12).text(paragraph, { width: 450 });
        doc.moveDown();
      }
      doc.fontSize(9).text(`Page ${page}`, 280, 740, { lineBreak: false });
    }
  }
  doc.end();
  return done;
}

/** The book's text as a DOCX of plain paragraphs: no heading styles at all. */
export function makeUnstyledDocx(): Promise<Buffer> {
  const children = CHAPTERS.flatMap((chapter) => chapter.pages.flat().map((text) => new Paragraph({ text })));
  return Packer.toBuffer(new Document({ sections: [{ children }] }));
}

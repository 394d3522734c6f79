import { createHash } from "node:crypto";
import { zipSync, strToU8 } from "fflate";
import initSqlJs, { type SqlJsStatic } from "sql.js";
import { CardKind, type Card } from "./card.model";
import { clozeNumbers } from "./cloze";
import type { Deck } from "./deck.model";

/**
 * An Anki package (`.apkg`): a ZIP holding `collection.anki2`, a SQLite database in the schema
 * Anki 2.1 reads (schema 11), and an empty `media` map. One note per card: "Basic" notes
 * (Front, Back, Explanation, Source) and "Cloze" notes (Text, Back Extra, Explanation, Source),
 * each cloze number its own Anki card, all new in one deck named after ours.
 */
export async function ankiPackage(deck: Deck, cards: Card[], sourceOf: (card: Card) => string, now = new Date()): Promise<Uint8Array> {
  const SQL = await sqlJs();
  const db = new SQL.Database();
  try {
    db.run(SCHEMA);
    const ms = now.getTime();
    const seconds = Math.floor(ms / 1000);
    const deckId = ms;
    const basicId = ms + 1;
    const clozeId = ms + 2;
    db.run("INSERT INTO col VALUES (1, ?, ?, ?, 11, 0, 0, 0, ?, ?, ?, ?, '{}')", [
      seconds,
      ms,
      ms,
      JSON.stringify({ nextPos: 1, estTimes: true, activeDecks: [deckId], sortType: "noteFld", timeLim: 0, sortBackwards: false, addToCur: true, curDeck: deckId, newSpread: 0, dueCounts: true, curModel: basicId, collapseTime: 1200 }),
      JSON.stringify({ [basicId]: basicModel(basicId, deckId, seconds), [clozeId]: clozeModel(clozeId, deckId, seconds) }),
      JSON.stringify({ 1: deckJson(1, "Default", "", seconds), [deckId]: deckJson(deckId, deck.title, deck.description, seconds) }),
      JSON.stringify({ 1: DECK_CONFIG }),
    ]);
    const insertNote = db.prepare("INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, '')");
    const insertCard = db.prepare("INSERT INTO cards VALUES (?, ?, ?, ?, ?, -1, 0, 0, ?, 0, 0, 0, 0, 0, 0, 0, 0, '')");
    let cardId = ms;
    cards.forEach((card, i) => {
      const noteId = ms + i;
      const cloze = card.kind === CardKind.CLOZE;
      // Both note types hold the same four fields in this order.
      const fields = [card.front, card.back, card.explanation, sourceOf(card)];
      const sortField = stripHtml(html(fields[0]));
      insertNote.run([noteId, String(card._id), cloze ? clozeId : basicId, seconds, tagsField(card.tags), fields.map(html).join("\x1f"), sortField, checksum(sortField)]);
      const ords = cloze ? clozeNumbers(card.front).map((n) => n - 1) : [0];
      for (const ord of ords) insertCard.run([cardId++, noteId, deckId, ord, seconds, i + 1]);
    });
    insertNote.free();
    insertCard.free();
    const collection = db.export();
    return zipSync({ "collection.anki2": collection, media: strToU8("{}") });
  } finally {
    db.close();
  }
}

let loading: Promise<SqlJsStatic> | undefined;

/** sql.js (SQLite compiled to WebAssembly) loads its module once per process. */
function sqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs();
  return loading;
}

/** Anki fields are HTML: our plain text is escaped, its line breaks kept. */
function html(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, "<br>");
}

function stripHtml(text: string): string {
  return text.replace(/<[^>]*>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** Anki's note checksum: the first 8 hex digits of the SHA-1 of the sort field, as a number. */
function checksum(text: string): number {
  return parseInt(createHash("sha1").update(text).digest("hex").slice(0, 8), 16);
}

/** Anki tags are space-separated words, with a space on each side. */
function tagsField(tags: string[]): string {
  const words = tags.map((tag) => tag.replace(/\s+/g, "_")).filter(Boolean);
  return words.length ? ` ${words.join(" ")} ` : "";
}

function field(name: string, ord: number) {
  return { name, ord, sticky: false, rtl: false, font: "Arial", size: 20, media: [] };
}

const CSS = ".card { font-family: arial; font-size: 20px; text-align: center; color: black; background-color: white; } .cloze { font-weight: bold; color: blue; } .source { font-size: 12px; color: #666; }";
const LATEX_PRE = "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n";
const LATEX_POST = "\\end{document}";
const EXTRA = "{{#Explanation}}<br><br>{{Explanation}}{{/Explanation}}{{#Source}}<div class=source>{{Source}}</div>{{/Source}}";

function basicModel(id: number, deckId: number, seconds: number) {
  return {
    id,
    name: "AI Learning Basic",
    type: 0,
    mod: seconds,
    usn: -1,
    sortf: 0,
    did: deckId,
    tmpls: [{ name: "Card 1", ord: 0, qfmt: "{{Front}}", afmt: `{{FrontSide}}<hr id=answer>{{Back}}${EXTRA}`, did: null, bqfmt: "", bafmt: "" }],
    flds: [field("Front", 0), field("Back", 1), field("Explanation", 2), field("Source", 3)],
    css: CSS,
    latexPre: LATEX_PRE,
    latexPost: LATEX_POST,
    tags: [],
    vers: [],
    req: [[0, "any", [0]]],
  };
}

function clozeModel(id: number, deckId: number, seconds: number) {
  return {
    id,
    name: "AI Learning Cloze",
    type: 1,
    mod: seconds,
    usn: -1,
    sortf: 0,
    did: deckId,
    tmpls: [{ name: "Cloze", ord: 0, qfmt: "{{cloze:Text}}", afmt: `{{cloze:Text}}<br>{{Back Extra}}${EXTRA}`, did: null, bqfmt: "", bafmt: "" }],
    flds: [field("Text", 0), field("Back Extra", 1), field("Explanation", 2), field("Source", 3)],
    css: CSS,
    latexPre: LATEX_PRE,
    latexPost: LATEX_POST,
    tags: [],
    vers: [],
  };
}

function deckJson(id: number, name: string, description: string, seconds: number) {
  return {
    id,
    name: name.replace(/::/g, ":"),
    desc: description,
    mod: seconds,
    usn: -1,
    collapsed: false,
    browserCollapsed: false,
    newToday: [0, 0],
    revToday: [0, 0],
    lrnToday: [0, 0],
    timeToday: [0, 0],
    dyn: 0,
    conf: 1,
    extendNew: 10,
    extendRev: 50,
  };
}

const DECK_CONFIG = {
  id: 1,
  name: "Default",
  mod: 0,
  usn: 0,
  maxTaken: 60,
  autoplay: true,
  timer: 0,
  replayq: true,
  dyn: false,
  new: { bury: true, delays: [1, 10], initialFactor: 2500, ints: [1, 4, 7], order: 1, perDay: 20, separate: true },
  lapse: { delays: [10], leechAction: 0, leechFails: 8, minInt: 1, mult: 0 },
  rev: { bury: true, ease4: 1.3, fuzz: 0.05, ivlFct: 1, maxIvl: 36500, minSpace: 1, perDay: 200 },
};

const SCHEMA = `
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, scm integer not null, ver integer not null,
  dty integer not null, usn integer not null, ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, mod integer not null, usn integer not null,
  tags text not null, flds text not null, sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, ord integer not null, mod integer not null,
  usn integer not null, type integer not null, queue integer not null, due integer not null, ivl integer not null,
  factor integer not null, reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, ease integer not null, ivl integer not null,
  lastIvl integer not null, factor integer not null, time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
`;

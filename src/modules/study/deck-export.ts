import { stringify } from "csv-stringify/sync";
import { raise } from "../../lib/errors";
import { ankiPackage } from "./anki-package";
import { CardKind, CardSourceType, type Card } from "./card.model";
import type { Deck } from "./deck.model";

export const EXPORT_FORMATS = ["apkg", "csv", "md"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportedDeck {
  body: Uint8Array | string;
  contentType: string;
  filename: string;
}

/** A deck as a file: an Anki package, CSV (front,back,tags: what import reads) or Markdown. */
export async function exportDeck(deck: Deck, cards: Card[], format: string): Promise<ExportedDeck> {
  const base = deck.title.replace(/[^\p{L}\p{N} _-]+/gu, "").trim().replace(/\s+/g, "-").slice(0, 80) || "deck";
  switch (format) {
    case "apkg":
      return { body: await ankiPackage(deck, cards, sourceLine), contentType: "application/apkg", filename: `${base}.apkg` };
    case "csv":
      return { body: csvOf(cards), contentType: "text/csv; charset=utf-8", filename: `${base}.csv` };
    case "md":
      return { body: markdownOf(deck, cards), contentType: "text/markdown; charset=utf-8", filename: `${base}.md` };
    default:
      return raise("BAD_USER_INPUT", `format must be one of ${EXPORT_FORMATS.join(", ")}`, { fields: [{ field: "format", message: `one of ${EXPORT_FORMATS.join(", ")}` }] });
  }
}

function csvOf(cards: Card[]): string {
  return stringify([["front", "back", "tags"], ...cards.map((card) => [card.front, card.back, card.tags.join(" ")])]);
}

function markdownOf(deck: Deck, cards: Card[]): string {
  const parts = [`# ${deck.title}`];
  if (deck.description) parts.push(deck.description);
  cards.forEach((card, i) => {
    const lines = [`## ${i + 1}. ${card.kind === CardKind.CLOZE ? "Cloze" : "Card"}`, "", `**${card.kind === CardKind.CLOZE ? "Text" : "Front"}:** ${card.front}`];
    if (card.back) lines.push("", `**${card.kind === CardKind.CLOZE ? "Extra" : "Back"}:** ${card.back}`);
    if (card.explanation) lines.push("", `> ${card.explanation.replace(/\n/g, "\n> ")}`);
    const source = sourceLine(card);
    if (source) lines.push("", `*Source: ${source}*`);
    if (card.tags.length) lines.push("", `Tags: ${card.tags.map((tag) => `\`${tag}\``).join(" ")}`);
    parts.push(lines.join("\n"));
  });
  return `${parts.join("\n\n")}\n`;
}

/** Where a card came from, in words: "Tides, pages 3-4", "Quiz: Tides quiz". */
export function sourceLine(card: Card): string {
  const { source } = card;
  if (source.type === CardSourceType.MANUAL || source.type === CardSourceType.IMPORT) return "";
  const pages =
    source.page_start !== undefined && source.page_start !== null
      ? source.page_end !== undefined && source.page_end !== null && source.page_end !== source.page_start
        ? `, pages ${source.page_start}-${source.page_end}`
        : `, page ${source.page_start}`
      : "";
  return source.type === CardSourceType.QUIZ_QUESTION ? `Quiz: ${source.title ?? ""}${pages}` : `${source.title ?? ""}${pages}`;
}

import { parse } from "csv-parse/sync";
import type { FileUpload } from "graphql-upload-minimal";
import { raise } from "../../lib/errors";
import type { SignedIn } from "../../lib/identity";
import { receiveFile } from "../uploads/read-upload";
import { CardKind, CardSourceType } from "./card.model";
import { clozeNumbers } from "./cloze";
import { CARD_SIDE_MAX_LENGTH, CARD_TAG_MAX_LENGTH, MAX_CARD_TAGS } from "./deck.model";
import { fingerprintOf, type CardContent, type DeckService } from "./deck.service";
import type { ImportResult, ImportRowError } from "./study.types";

export const MAX_IMPORT_BYTES = 1_048_576;
export const MAX_IMPORT_ROWS = 5_000;

/**
 * CSV import (front,back[,tags]; a header row is skipped): good rows become cards and bad ones
 * are reported by line. A file that cannot be read as a whole (too large, not UTF-8, broken
 * quoting, too many rows) is refused and nothing is stored.
 */
export class DeckImport {
  constructor(private readonly deps: { decks: DeckService }) {}

  async importCsv(actor: SignedIn, deckId: string, upload: Promise<FileUpload>): Promise<ImportResult> {
    const { deck } = await this.deps.decks.editableOrFail(actor, deckId);
    const { bytes } = await receiveFile(upload, MAX_IMPORT_BYTES);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      return raise("BAD_USER_INPUT", "The file is not UTF-8 text", { fields: [{ field: "file", message: "not UTF-8" }] });
    }
    let records: { record: string[]; info: { lines: number } }[];
    try {
      records = parse(text, { bom: true, info: true, relax_column_count: true, skip_empty_lines: true, max_record_size: CARD_SIDE_MAX_LENGTH * 4 }) as unknown as typeof records;
    } catch (error) {
      return raise("BAD_USER_INPUT", `The file is not valid CSV: ${(error as Error).message}`, { fields: [{ field: "file", message: "not valid CSV" }] });
    }
    if (records.length > 0 && isHeader(records[0].record)) records = records.slice(1);
    if (records.length === 0) raise("BAD_USER_INPUT", "The file has no rows", { fields: [{ field: "file", message: "no rows" }] });
    if (records.length > MAX_IMPORT_ROWS) {
      raise("BAD_USER_INPUT", `At most ${MAX_IMPORT_ROWS} rows per import (the file has ${records.length})`, { fields: [{ field: "file", message: "too many rows" }] });
    }
    const errors: ImportRowError[] = [];
    const rows: { line: number; content: CardContent; fingerprint: string }[] = [];
    const seen = new Set<string>();
    for (const { record, info } of records) {
      const problem = rowProblem(record);
      if (problem) {
        errors.push({ row: info.lines, message: problem });
        continue;
      }
      const content = contentOf(record);
      const fingerprint = fingerprintOf(content.front);
      if (seen.has(fingerprint)) {
        errors.push({ row: info.lines, message: "repeats an earlier row" });
        continue;
      }
      seen.add(fingerprint);
      rows.push({ line: info.lines, content, fingerprint });
    }
    const existing = await this.deps.decks.existingFingerprints(deck._id, rows.map((row) => row.fingerprint));
    const fresh = rows.filter((row) => {
      if (!existing.has(row.fingerprint)) return true;
      errors.push({ row: row.line, message: "the deck already has this card" });
      return false;
    });
    const cards = await this.deps.decks.insertCards(deck, fresh.map((row) => ({ content: row.content, source: { type: CardSourceType.IMPORT } })));
    return { imported: cards.length, errors: errors.sort((a, b) => a.row - b.row) };
  }
}

function isHeader(record: string[]): boolean {
  return record[0]?.trim().toLowerCase() === "front" && record[1]?.trim().toLowerCase() === "back";
}

function rowProblem(record: string[]): string | null {
  if (record.length < 2 || record.length > 3) return `expected front,back[,tags], got ${record.length} column${record.length === 1 ? "" : "s"}`;
  const [front, back, tags = ""] = record.map((value) => value.trim());
  if (!front) return "the front is empty";
  const cloze = clozeNumbers(front).length > 0;
  if (!back && !cloze) return "the back is empty";
  if (front.length > CARD_SIDE_MAX_LENGTH || back.length > CARD_SIDE_MAX_LENGTH) return `a side is longer than ${CARD_SIDE_MAX_LENGTH} characters`;
  const words = tags.split(/\s+/).filter(Boolean);
  if (words.length > MAX_CARD_TAGS) return `at most ${MAX_CARD_TAGS} tags`;
  if (words.some((tag) => tag.length > CARD_TAG_MAX_LENGTH)) return `a tag is longer than ${CARD_TAG_MAX_LENGTH} characters`;
  return null;
}

/** A front with {{c1::…}} deletions makes a cloze card (its back is the extra text). */
function contentOf(record: string[]): CardContent {
  const [front, back, tags = ""] = record.map((value) => value.trim());
  return {
    kind: clozeNumbers(front).length > 0 ? CardKind.CLOZE : CardKind.BASIC,
    front,
    back,
    explanation: "",
    tags: [...new Set(tags.split(/\s+/).filter(Boolean).map((tag) => tag.toLowerCase()))],
  };
}

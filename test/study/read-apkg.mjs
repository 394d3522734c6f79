// Reads an Anki package with anki-reader (an npm package nobody here wrote, ESM only, hence a
// process of its own) and prints its decks and cards as JSON: what Anki itself would import.
import { readFileSync } from "node:fs";
import { readAnkiPackage } from "anki-reader";

const bytes = readFileSync(process.argv[2]);
const { collection } = await readAnkiPackage(new Blob([bytes]));
const decks = Object.values(collection.getDecks()).map((deck) => ({
  name: deck.getName(),
  cards: Object.values(deck.getCards()).map((card) => ({
    model: card.getModel().getName(),
    ord: card.getRawCard().ord,
    fields: card.getFields(),
  })),
}));
process.stdout.write(JSON.stringify(decks));

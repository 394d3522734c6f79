import type { FlashcardTask } from "../prompts";
import type { FlashcardDraft } from "../schemas";
import { rankKeyTerms } from "./quiz";
import { fold, replaceWords, sentences, stemOf, surfaceWords, wordCount } from "./text";

type DraftCard = FlashcardDraft["cards"][number];

const MIN_SENTENCE_WORDS = 6;
const MAX_SENTENCE_WORDS = 45;
/** "Tides are the regular rise…", "Photosynthesis converts…": a subject of one to five words, then the verb. */
const DEFINITION = /^((?:the |a |an )?[\p{L}][\p{L}\p{N}' -]{1,60}?) (is|are|means|refers to|is called|are called) (.{8,})$/iu;

/**
 * Extractive cards, deterministically: a sentence that defines something ("X is Y") becomes a
 * basic card (What is X? / the sentence's own words), and other informative sentences become
 * cloze cards with their best key term hidden. Every side is the material's own text, so the
 * back is always supported by the passage it cites.
 */
export function extractiveFlashcards(task: FlashcardTask): FlashcardDraft {
  const keyTerms = rankKeyTerms(task.passages.map((passage) => passage.text).join("\n\n"));
  const byStem = new Map(keyTerms.map((term) => [term.stem, term]));
  const avoid = new Set((task.avoid ?? []).map(fold));
  const cards: DraftCard[] = [];
  const usedSentences = new Set<string>();
  const wantsBasic = task.kinds.includes("BASIC");
  const wantsCloze = task.kinds.includes("CLOZE");
  const candidates = task.passages.flatMap((passage, index) =>
    sentences(passage.text)
      .filter((sentence) => {
        const count = wordCount(sentence);
        return count >= MIN_SENTENCE_WORDS && count <= MAX_SENTENCE_WORDS && !sentence.startsWith("#") && !sentence.endsWith("?");
      })
      .map((sentence) => {
        const terms = surfaceWords(sentence).filter((word) => byStem.has(stemOf(word)));
        const score = terms.reduce((sum, word) => sum + byStem.get(stemOf(word))!.score, 0);
        return { sentence, passage: index + 1, terms, score };
      }),
  );
  const ranked = [...candidates].sort((a, b) => b.score - a.score || a.sentence.localeCompare(b.sentence));
  for (const candidate of ranked) {
    if (cards.length >= task.count) break;
    if (usedSentences.has(fold(candidate.sentence))) continue;
    const definition = wantsBasic ? DEFINITION.exec(candidate.sentence.replace(/[.!]$/, "")) : null;
    let card: DraftCard | undefined;
    if (definition) {
      const subject = definition[1].trim();
      const front = `What ${definition[2].toLowerCase().startsWith("are") ? "are" : "is"} ${subject.replace(/^(the|a|an) /i, "")}?`;
      card = { kind: "BASIC", front, back: definition[3].trim(), explanation: candidate.sentence, passage: candidate.passage };
    } else if (wantsCloze && candidate.terms.length > 0) {
      const best = [...candidate.terms].sort((a, b) => byStem.get(stemOf(b))!.score - byStem.get(stemOf(a))!.score)[0];
      let hidden = false;
      const text = replaceWords(candidate.sentence, (word) => {
        if (hidden || fold(word) !== fold(best)) return word;
        hidden = true;
        return `{{c1::${word}}}`;
      });
      card = { kind: "CLOZE", text, explanation: candidate.sentence, passage: candidate.passage };
    }
    if (!card || avoid.has(fold(card.front ?? card.text ?? ""))) continue;
    usedSentences.add(fold(candidate.sentence));
    cards.push({ ...card, tags: candidate.terms.slice(0, 2).map((term) => fold(term)) });
  }
  if (cards.length === 0) cards.push(...fallback(task));
  return { cards };
}

/** Material with no informative sentence still gets an answer, which the service's checks then judge. */
function fallback(task: FlashcardTask): DraftCard[] {
  const first = task.passages.find((passage) => passage.text.trim());
  return first ? [{ kind: "BASIC", front: "", back: first.text.trim().slice(0, 200), passage: 1 }] : [{ kind: "BASIC", front: "", back: "" }];
}

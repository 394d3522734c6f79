import { STRICT_REFUSAL, type TutorAnswerTask } from "../prompts";
import { dot } from "../vectors";
import { embedText } from "./embedding";
import { HeldTerms, keyTerms, share, weightedCoverage, type KeyTerm } from "./key-terms";
import { phrasesHeld, questionPhrases } from "./phrases";
import { isNavigationLine, sentences, wordCount } from "./text";

const MAX_QUOTES = 3;
/** Below this share of the question's key terms a passage does not answer it. */
const MIN_PASSAGE_COVERAGE = 0.5;
/** A sentence holding much less of the question than the best one is more likely off the point than more of the answer. */
const NEAR_BEST_SENTENCE = 0.8;
/**
 * What each of the question's phrases a passage holds adds to its share of the key terms: less
 * than one term of five (a phrase is made of common words), but two of them more than one term of
 * three. Calibrated on the gold set of `npm run eval` (docs/retrieval.md).
 */
const PHRASE_WEIGHT = 0.18;
/** Sentences in the window where passages holding as much of the question are told apart. */
const WINDOW_SENTENCES = 2;
const EMBEDDING_SIZE = 512;

export const OFFLINE_NO_MATCH =
  "The material does not seem to cover this. (Offline tutor: without an AI model I can only quote your material.)";

interface Candidate {
  sentence: string;
  passageIndex: number;
  position: number;
  /** Share of the question's key terms the sentence holds. */
  coverage: number;
  /** Closeness of wording (hashed n-grams), to break ties. */
  likeness: number;
}

/**
 * An extractive answer from the one passage that holds most of the question's key terms and
 * phrases (the higher-ranked on a tie; none when no passage holds half of the terms): its
 * sentences that hold the most of the terms, quoted as written, in their order, each cited `[n]`
 * with that passage. Quoting one passage keeps every citation on the passage that answers;
 * nothing is made up.
 */
export function extractiveAnswer(task: TutorAnswerTask): string {
  const asked = keyTerms(task.question);
  // A passage is judged with its section's heading, as grounding judges it: the heading often names what the text only explains.
  const weights = asked.map((term) => task.termRarity?.[term.text] ?? 1);
  const answering = answeringPassage(asked, weights, questionPhrases(task.question), task.passages);
  const candidates = answering === undefined ? [] : candidatesFrom(task, answering, asked);
  const top = candidates[0]?.coverage ?? 0;
  const best = candidates
    .filter((candidate) => candidate.coverage >= top * NEAR_BEST_SENTENCE)
    .slice(0, MAX_QUOTES)
    .sort((a, b) => a.passageIndex - b.passageIndex || a.position - b.position);
  if (best.length === 0) return task.mode === "STRICT" ? STRICT_REFUSAL : OFFLINE_NO_MATCH;
  const quotes = best.map((candidate) => `> ${asQuoted(candidate.sentence)} [${candidate.passageIndex + 1}]`).join("\n>\n");
  return `From your material:\n\n${quotes}\n\n(Offline tutor: these are the sentences that best match your question, quoted as written.)`;
}

/** A number in brackets within the material (a footnote's `^[1]`) would read as a citation of passage 1: it is quoted in parentheses. */
function asQuoted(sentence: string): string {
  return sentence.replace(/\[(\d+(?:\s*[,;]\s*\d+)*)\]/g, "($1)");
}

/**
 * The index of the passage holding the largest share of the asked terms, with its heading, each
 * of the question's phrases it holds (`questionPhrases`) counting PHRASE_WEIGHT more (the first on
 * a tie), if one holds enough of the terms. Of passages scoring as much, the one whose WINDOW_SENTENCES
 * consecutive sentences hold the most of the question, its terms weighted by their rarity in the
 * material: where the telling terms stand together, the passage speaks of them rather than mentions them.
 * Where that window ends its passage, the passage continuing it (`continuedIn`).
 */
function answeringPassage(asked: KeyTerm[], weights: number[], phrases: string[], passages: TutorAnswerTask["passages"]): number | undefined {
  if (asked.length === 0) return undefined;
  const judged = passages.map((passage) => `${passage.heading ?? ""}\n${passage.text}`);
  const coverage = judged.map((text) => share(asked, new HeldTerms(text)));
  if (Math.max(0, ...coverage) < MIN_PASSAGE_COVERAGE) return undefined;
  const score = judged.map((text, index) => (coverage[index] >= MIN_PASSAGE_COVERAGE ? coverage[index] + PHRASE_WEIGHT * phrasesHeld(phrases, text) : 0));
  const best = Math.max(...score);
  let chosen: { index: number; window: Window } | undefined;
  score.forEach((value, index) => {
    if (value < best) return;
    const window = bestWindow(asked, weights, passages[index].text);
    if (!chosen || window.share > chosen.window.share) chosen = { index, window };
  });
  return chosen && continuedIn(chosen.index, chosen.window, passages);
}

/**
 * Passages overlap: where the best window ends its passage, what follows it (often the answer
 * after a section's first lines) was cut off into the next one. A given passage holding the same
 * window with more after it is quoted instead; else the passage itself.
 */
function continuedIn(index: number, window: Window, passages: TutorAnswerTask["passages"]): number {
  if (!window.atEnd) return index;
  const cut = comparable(window.text);
  const continued = passages.findIndex((passage, other) => {
    const text = comparable(passage.text);
    return other !== index && text.includes(cut) && !text.endsWith(cut);
  });
  return continued >= 0 ? continued : index;
}

/** Lower case, letters and digits only: the same sentences of two passages compare equal however their line breaks fell. */
function comparable(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

interface Window {
  share: number;
  text: string;
  /** The window holds its passage's last sentence. */
  atEnd: boolean;
}

/** The WINDOW_SENTENCES consecutive sentences of a text that hold the largest weighted share of the asked terms (the first on a tie). */
function bestWindow(asked: KeyTerm[], weights: number[], text: string): Window {
  const all = sentences(text);
  let best: Window = { share: 0, text: "", atEnd: false };
  for (let i = 0; i < all.length; i++) {
    const window = all.slice(i, i + WINDOW_SENTENCES);
    const share = weightedCoverage(asked, weights, new HeldTerms(window.join(" ")));
    if (share > best.share) best = { share, text: window.join(" "), atEnd: i + WINDOW_SENTENCES >= all.length };
  }
  return best;
}

/** The answering passage's sentences that hold some of the question, best first. */
function candidatesFrom(task: TutorAnswerTask, passageIndex: number, asked: KeyTerm[]): Candidate[] {
  const question = embedText(task.question, EMBEDDING_SIZE);
  const all = sentences(task.passages[passageIndex].text)
    .map((sentence, position) => ({ sentence, passageIndex, position }))
    .filter(({ sentence }) => wordCount(sentence) >= 3 && !sentence.startsWith("#") && !isNavigationLine(sentence))
    .map((candidate) => ({
      ...candidate,
      coverage: share(asked, new HeldTerms(candidate.sentence)),
      likeness: dot(question, embedText(candidate.sentence, EMBEDDING_SIZE)),
    }))
    .sort((a, b) => b.coverage - a.coverage || b.likeness - a.likeness);
  const holding = all.filter((candidate) => candidate.coverage > 0);
  // Chosen by its heading alone (no sentence repeats the question's terms): its one sentence closest in wording.
  return holding.length > 0 ? holding : all.slice(0, 1);
}

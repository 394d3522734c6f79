import murmurhash from "murmurhash";
import { raise } from "../../../lib/errors";
import type { QuizTask } from "../prompts";
import { normalizeOption, QUIZ_OPTION_COUNT, type GeneratedQuiz, type QuizQuestion } from "../schemas";
import { fold, isStopword, replaceWords, sentences, stemOf, surfaceWords, wordCount } from "./text";
import { seededRandom } from "../../../lib/seeded-random";

export interface KeyTerm {
  /** As it is most often written in the text. */
  display: string;
  stem: string;
  score: number;
}

interface Candidate {
  sentence: string;
  passageIndex: number;
  terms: KeyTerm[];
  score: number;
}

const MIN_SENTENCE_WORDS = 6;
const MAX_SENTENCE_WORDS = 45;
const MIN_TERM_LENGTH = 4;
const BLANK = "_____";
// Mostly verbs and adverbs ("called", "using", "quickly"): weak answers, and odd beside nouns as options.
const NOT_A_NAME = /(?:ed|ing|ly)$/;

/**
 * Cloze questions: an informative sentence of a passage with one key term blanked out; the
 * other options are key terms of the same material, so they are plausible. Deterministic: the
 * same passages always give the same quiz.
 */
export function clozeQuiz(task: QuizTask): GeneratedQuiz {
  const keyTerms = rankKeyTerms(task.passages.map((passage) => passage.text).join("\n\n"));
  if (keyTerms.length < QUIZ_OPTION_COUNT) {
    raise("BAD_USER_INPUT", "The material is too short to write quiz questions from");
  }
  const byStem = new Map(keyTerms.map((term) => [term.stem, term]));
  const candidates = task.passages
    .flatMap((passage, passageIndex) =>
      sentences(passage.text).map((sentence) => {
        const found = surfaceWords(sentence).map((word) => byStem.get(stemOf(word)));
        const terms = uniqueBy(found.filter((term) => term !== undefined), (term) => term.stem).sort(byScore);
        return { sentence, passageIndex, terms, score: terms.reduce((sum, term) => sum + term.score, 0) };
      }),
    )
    .filter(isInformative)
    .sort((a, b) => b.score - a.score || a.sentence.localeCompare(b.sentence));

  const questions: QuizQuestion[] = [];
  const usedAnswers = new Set<string>();
  const usedSentences = new Set<string>();
  const distractorUse: DistractorUse = { times: new Map(), sets: new Set() };
  for (const candidate of candidates) {
    if (questions.length >= task.numQuestions) break;
    const key = normalizeOption(candidate.sentence);
    const answer = candidate.terms.find((term) => !usedAnswers.has(term.stem));
    if (!answer || usedSentences.has(key)) continue;
    const question = clozeQuestion(candidate, answer, keyTerms, task.difficulty, distractorUse);
    if (!question) continue;
    questions.push(question);
    usedAnswers.add(answer.stem);
    usedSentences.add(key);
  }
  if (questions.length === 0) raise("BAD_USER_INPUT", "The material has no sentences to write quiz questions from");
  return { questions };
}

/** Content words, scored by how often they occur and how long (so specific) they are. */
export function rankKeyTerms(text: string): KeyTerm[] {
  const seen = new Map<string, { count: number; forms: Map<string, number> }>();
  for (const surface of surfaceWords(text)) {
    const folded = fold(surface);
    if (folded.length < MIN_TERM_LENGTH || isStopword(folded) || !/\p{L}/u.test(folded) || NOT_A_NAME.test(folded)) continue;
    const stem = stemOf(folded);
    const entry = seen.get(stem) ?? { count: 0, forms: new Map() };
    entry.count += 1;
    entry.forms.set(surface, (entry.forms.get(surface) ?? 0) + 1);
    seen.set(stem, entry);
  }
  return [...seen.entries()]
    .map(([stem, { count, forms }]) => ({
      stem,
      display: [...forms.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0],
      score: (1 + Math.log(count)) * Math.log(stem.length),
    }))
    .sort(byScore);
}

function byScore(a: KeyTerm, b: KeyTerm): number {
  return b.score - a.score || a.stem.localeCompare(b.stem);
}

function isInformative(candidate: Candidate): boolean {
  const count = wordCount(candidate.sentence);
  return (
    count >= MIN_SENTENCE_WORDS &&
    count <= MAX_SENTENCE_WORDS &&
    candidate.terms.length >= 2 &&
    !candidate.sentence.trim().endsWith("?") &&
    !candidate.sentence.trim().startsWith("#")
  );
}

function clozeQuestion(
  candidate: Candidate,
  answer: KeyTerm,
  keyTerms: KeyTerm[],
  difficulty: QuizTask["difficulty"],
  use: DistractorUse,
): QuizQuestion | undefined {
  const inSentence = new Set(candidate.terms.map((term) => term.stem));
  const distractors = pickDistractors(
    answer,
    keyTerms.filter((term) => !inSentence.has(term.stem)),
    difficulty,
    use,
  );
  if (distractors.length < QUIZ_OPTION_COUNT - 1) return undefined;
  use.sets.add(setKey(distractors));
  for (const term of distractors) use.times.set(term.stem, (use.times.get(term.stem) ?? 0) + 1);
  // The answer as this sentence writes it ("temperatures"), so that it fits the blank.
  const written = surfaceWords(candidate.sentence).find((word) => stemOf(word) === answer.stem)!;
  const random = seededRandom(murmurhash.v3(candidate.sentence));
  const options = shuffle([written, ...distractors.map((term) => term.display)], random);
  const blanked = replaceWords(candidate.sentence, (word) => (fold(word) === fold(written) ? BLANK : word));
  return {
    prompt: `Fill in the blank: ${blanked}`,
    options,
    correctIndex: options.indexOf(written),
    explanation: `The passage says: “${candidate.sentence}”`,
    passage: candidate.passageIndex + 1,
  };
}

/** The distractors a quiz has used so far: how often each term, and which sets of three. */
interface DistractorUse {
  times: Map<string, number>;
  sets: Set<string>;
}

function setKey(terms: KeyTerm[]): string {
  return terms
    .map((term) => term.stem)
    .sort()
    .join("|");
}

/**
 * Harder quizzes use distractors that look like the answer (similar length and score). Within
 * that order, terms the quiz has used least as distractors come first, and a set of three that
 * an earlier question had is never given again: otherwise the same few terms stand beside every
 * answer and give the key away.
 */
function pickDistractors(answer: KeyTerm, pool: KeyTerm[], difficulty: QuizTask["difficulty"], use: DistractorUse): KeyTerm[] {
  const likeness = (term: KeyTerm) => Math.abs(term.display.length - answer.display.length) + Math.abs(term.score - answer.score);
  const ranked = uniqueBy(pool, (term) => normalizeOption(term.display)).sort((a, b) => likeness(a) - likeness(b) || a.stem.localeCompare(b.stem));
  const need = QUIZ_OPTION_COUNT - 1;
  if (ranked.length < need) return [];
  const start = { HARD: 0, MEDIUM: Math.floor(ranked.length / 3), EASY: ranked.length - need }[difficulty];
  const from = Math.max(0, Math.min(start, ranked.length - need));
  // The difficulty's place in the ranking first, then outward from it.
  const distance = (i: number) => (i >= from ? i - from : from - i + ranked.length);
  const order = ranked
    .map((term, i) => ({ term, rank: distance(i) }))
    .sort((a, b) => (use.times.get(a.term.stem) ?? 0) - (use.times.get(b.term.stem) ?? 0) || a.rank - b.rank)
    .map(({ term }) => term);
  const picked = order.slice(0, need);
  // Swap the last pick for the next candidates until the set is new (or nothing else is left).
  for (let next = need; use.sets.has(setKey(picked)) && next < order.length; next++) picked[need - 1] = order[next];
  return use.sets.has(setKey(picked)) ? [] : picked;
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

/**
 * The eval's scoring functions, pure: retrieval recall@k and MRR, page-level citation precision
 * and recall (ALCE style), refusal precision and recall, SQuAD-style token F1.
 */

export interface GoldQuestion {
  id: string;
  /** The document (`documents[].id`) the question is asked of. */
  document: string;
  question: string;
  /** False for the questions the document does not answer. */
  answerable: boolean;
  /** A short reference answer (answerable questions only). */
  answer?: string;
  /** A phrase of the document, verbatim, that holds the answer: how gold passages of a text without pages are found. */
  evidence?: string;
  /** PDF pages (from 1) holding the answer. */
  pages?: number[];
}

/** What a retrieved or cited passage says of itself. */
export interface PassageRef {
  pageStart?: number | null;
  pageEnd?: number | null;
  text?: string;
}

/** Lower case, letters and digits only, one space between words: what "contains the phrase" compares. */
export function normalizeText(text: string): string {
  return text
    .replace(/-\n/g, "")
    .toLowerCase()
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** A passage is gold when it overlaps a gold page (PDF) or, without pages, holds the evidence phrase. */
export function isGoldPassage(passage: PassageRef, question: GoldQuestion): boolean {
  if (question.pages?.length && passage.pageStart != null) {
    const end = passage.pageEnd ?? passage.pageStart;
    return question.pages.some((page) => page >= passage.pageStart! && page <= end);
  }
  if (!question.evidence || passage.text === undefined) return false;
  return normalizeText(passage.text).includes(normalizeText(question.evidence));
}

/** Place (from 0) of the first gold passage in a ranking; -1 when none is gold. */
export function firstGoldRank(ranking: PassageRef[], question: GoldQuestion): number {
  return ranking.findIndex((passage) => isGoldPassage(passage, question));
}

export interface RetrievalScores {
  recallAt1: number;
  recallAt5: number;
  mrrAt10: number;
  questions: number;
}

/** `ranks`: `firstGoldRank` of each answerable question. */
export function retrievalScores(ranks: number[]): RetrievalScores {
  const n = ranks.length || 1;
  const within = (k: number) => ranks.filter((rank) => rank >= 0 && rank < k).length / n;
  const mrr = ranks.reduce((sum, rank) => sum + (rank >= 0 && rank < 10 ? 1 / (rank + 1) : 0), 0) / n;
  return { recallAt1: within(1), recallAt5: within(5), mrrAt10: mrr, questions: ranks.length };
}

export interface AnswerOutcome {
  question: GoldQuestion;
  /** The tutor refused (STRICT's refusal, or an answer that says the material does not cover it). */
  refused: boolean;
  /** The passages the answer cites. */
  citations: QuotedCitation[];
  /** The answer's text, for token F1. */
  text: string;
  /** The answer's claims (each a sentence with the passages it cites), where the server states them. */
  claims?: QuotedClaim[];
}

/** A claim as the eval sees it: its sentence, and its citations with their passages and quotes. */
export interface QuotedClaim {
  text: string;
  citations: QuotedCitation[];
}

export interface CitationScores {
  /** Of every citation of answered answerable questions, the share pointing at a gold page or passage. */
  precision: number;
  /** Of answered answerable questions, the share citing at least one gold page or passage. */
  recall: number;
  citations: number;
  answers: number;
}

export function citationScores(outcomes: AnswerOutcome[]): CitationScores {
  const answered = outcomes.filter((outcome) => outcome.question.answerable && !outcome.refused);
  const all = answered.flatMap((outcome) => outcome.citations.map((citation) => isGoldPassage(citation, outcome.question)));
  const recalled = answered.filter((outcome) => outcome.citations.some((citation) => isGoldPassage(citation, outcome.question)));
  return {
    precision: all.length ? all.filter(Boolean).length / all.length : 0,
    recall: answered.length ? recalled.length / answered.length : 0,
    citations: all.length,
    answers: answered.length,
  };
}

/** A citation as the eval sees it: the passage it points at, and the sentence it quotes. */
export interface QuotedCitation extends PassageRef {
  quote?: string;
}

export interface QuoteScores {
  /** Of the citations of answered answerable questions, the share whose quote is a sentence of the cited passage that the answer uses. */
  share: number;
  quotes: number;
}

/** Share of a quote's words the answer holds from which the quote counts as used. */
const QUOTE_USED = 0.5;

/**
 * Whether each citation's `quote` is really from the passage it cites (its letters and digits
 * appear there in order) and is used by the answer (half its words or more are in the answer):
 * not merely the passage's first sentence.
 */
export function quoteScores(outcomes: AnswerOutcome[]): QuoteScores {
  const checked = outcomes
    .filter((outcome) => outcome.question.answerable && !outcome.refused)
    .flatMap((outcome) => outcome.citations.map((citation) => quoteUsed(citation, outcome.text)));
  return { share: checked.length ? checked.filter(Boolean).length / checked.length : 0, quotes: checked.length };
}

/**
 * The same, claim by claim: of the citations of the claims of answered answerable questions, the
 * share whose quote is from the cited passage and used by the very sentence citing it (a quote
 * another sentence of the answer uses does not count).
 */
export function claimQuoteScores(outcomes: AnswerOutcome[]): QuoteScores {
  const checked = outcomes
    .filter((outcome) => outcome.question.answerable && !outcome.refused)
    .flatMap((outcome) => (outcome.claims ?? []).flatMap((claim) => claim.citations.map((citation) => quoteUsed(citation, claim.text))));
  return { share: checked.length ? checked.filter(Boolean).length / checked.length : 0, quotes: checked.length };
}

/** Whether a citation's quote appears in its passage (letters and digits in order) and half its words or more are in `user`. */
function quoteUsed(citation: QuotedCitation, user: string): boolean {
  const quote = normalizeText(citation.quote ?? "");
  if (!quote || citation.text === undefined || !normalizeText(citation.text).includes(quote)) return false;
  const used = new Set(answerTokens(user));
  const words = answerTokens(citation.quote!);
  return words.filter((word) => used.has(word)).length / words.length >= QUOTE_USED;
}

export interface RefusalScores {
  /** Of refusals, the share that were of unanswerable questions. */
  precision: number;
  /** Of unanswerable questions, the share refused. */
  recall: number;
  answeredUnanswerable: number;
  unanswerable: number;
  refusedAnswerable: number;
  answerable: number;
}

export function refusalScores(outcomes: AnswerOutcome[]): RefusalScores {
  const refused = outcomes.filter((outcome) => outcome.refused);
  const unanswerable = outcomes.filter((outcome) => !outcome.question.answerable);
  const rightlyRefused = refused.filter((outcome) => !outcome.question.answerable).length;
  return {
    precision: refused.length ? rightlyRefused / refused.length : 0,
    recall: unanswerable.length ? rightlyRefused / unanswerable.length : 0,
    answeredUnanswerable: unanswerable.length - rightlyRefused,
    unanswerable: unanswerable.length,
    refusedAnswerable: refused.length - rightlyRefused,
    answerable: outcomes.length - unanswerable.length,
  };
}

const ARTICLES = new Set(["a", "an", "the"]);

/** SQuAD's answer normalisation: lower case, no punctuation, no articles, words split on white space. */
export function answerTokens(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/\[\d+(?:\s*[,;]\s*\d+)*\]/g, " ")
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .split(/\s+/)
    .filter((token) => token && !ARTICLES.has(token));
}

/** SQuAD's token F1 of a prediction against a gold answer (1 when both are empty). */
export function tokenF1(prediction: string, gold: string): number {
  const predicted = answerTokens(prediction);
  const expected = answerTokens(gold);
  if (predicted.length === 0 || expected.length === 0) return predicted.length === expected.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of expected) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common++;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Mean token F1 over answerable questions; a refusal scores 0. */
export function meanTokenF1(outcomes: AnswerOutcome[]): number {
  const answerable = outcomes.filter((outcome) => outcome.question.answerable);
  if (answerable.length === 0) return 0;
  return answerable.reduce((sum, outcome) => sum + (outcome.refused ? 0 : tokenF1(outcome.text, outcome.question.answer ?? "")), 0) / answerable.length;
}

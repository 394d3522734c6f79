import { STRICT_REFUSAL, type TutorAnswerTask } from "../prompts";
import { dot } from "../vectors";
import { embedText } from "./embedding";
import { sentences, terms, wordCount } from "./text";

const MAX_QUOTES = 3;
// Below this cosine a sentence shares too little with the question to be worth quoting.
const MIN_RELEVANCE = 0.15;
// A quote much weaker than the best one is more likely off the point than a second source for it.
const NEAR_BEST = 0.8;
const EMBEDDING_SIZE = 512;

export const OFFLINE_NO_MATCH =
  "The material does not seem to cover this. (Offline tutor: without an AI model I can only quote your material.)";

/**
 * An extractive answer: the sentences of the passages that best match the question, quoted
 * as written and cited `[n]`, in the order they appear. Nothing is made up.
 */
export function extractiveAnswer(task: TutorAnswerTask): string {
  const question = embedText(task.question, EMBEDDING_SIZE);
  const asked = new Set(terms(task.question));
  // A sentence must share a word with the question: n-gram likeness alone is too weak a reason to quote it.
  const relevant = (sentence: string) =>
    wordCount(sentence) >= 3 && !sentence.startsWith("#") && terms(sentence).some((term) => asked.has(term));
  const candidates = task.passages.flatMap((passage, passageIndex) =>
    sentences(passage.text)
      .filter(relevant)
      .map((sentence, position) => ({
        sentence,
        passageIndex,
        position,
        score: dot(question, embedText(sentence, EMBEDDING_SIZE)),
      })),
  );
  const top = Math.max(0, ...candidates.map((candidate) => candidate.score));
  const best = candidates
    .filter((candidate) => candidate.score >= MIN_RELEVANCE && candidate.score >= top * NEAR_BEST)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_QUOTES)
    .sort((a, b) => a.passageIndex - b.passageIndex || a.position - b.position);
  if (best.length === 0) return task.mode === "STRICT" ? STRICT_REFUSAL : OFFLINE_NO_MATCH;
  const quotes = best.map((candidate) => `> ${candidate.sentence} [${candidate.passageIndex + 1}]`).join("\n>\n");
  return `From your material:\n\n${quotes}\n\n(Offline tutor: these are the sentences that best match your question, quoted as written.)`;
}

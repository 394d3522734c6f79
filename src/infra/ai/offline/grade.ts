import type { ShortAnswerGradeTask } from "../prompts";
import { normalizeOption, type ShortAnswerGrade } from "../schemas";
import { terms } from "./text";

// Share of an accepted answer's meaningful words the learner's answer must contain.
const PASS_SHARE = 0.8;

/**
 * Grading without a model: the answer passes when it is an accepted answer (ignoring case and
 * punctuation) or contains nearly all of one's meaningful words, in any order and inflection.
 * It cannot recognize synonyms, and says so.
 */
export function gradeByWords(task: ShortAnswerGradeTask): ShortAnswerGrade {
  const answer = normalizeOption(task.answer);
  const given = new Set(terms(task.answer));
  let best = { score: 0, accepted: task.acceptedAnswers[0] ?? "" };
  for (const accepted of task.acceptedAnswers) {
    const needed = [...new Set(terms(accepted))];
    const score =
      normalizeOption(accepted) === answer ? 1 : needed.length === 0 ? 0 : needed.filter((term) => given.has(term)).length / needed.length;
    if (score > best.score) best = { score, accepted };
  }
  const correct = best.score >= PASS_SHARE;
  return {
    correct,
    score: Math.round(best.score * 100) / 100,
    feedback: correct
      ? `Matches the accepted answer “${best.accepted}”.`
      : "Does not match an accepted answer (graded offline by comparing words, not meaning).",
  };
}

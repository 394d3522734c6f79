import { normalizeOption } from "../../infra/ai/schemas";
import { QuestionType, type Question } from "./quiz.model";

export const POINTS_PER_CORRECT_ANSWER = 10;

export interface SubmittedAnswer {
  selectedOptions?: number[] | null;
  text?: string | null;
}

/**
 * Choice questions are right when exactly the keyed options are chosen (order and repeats do not
 * matter); short answers when they match an accepted answer after normalization (case, spacing
 * and punctuation ignored). Unanswered is wrong.
 */
export function gradeAnswer(question: Pick<Question, "type" | "correct_options" | "accepted_answers">, answer: SubmittedAnswer | undefined): boolean {
  if (!answer) return false;
  if (question.type === QuestionType.SHORT_ANSWER) return matchesAcceptedAnswer(question.accepted_answers, answer.text ?? "");
  const chosen = new Set(answer.selectedOptions ?? []);
  const keys = new Set(question.correct_options);
  return chosen.size === keys.size && [...keys].every((key) => chosen.has(key));
}

export function matchesAcceptedAnswer(accepted: string[], text: string): boolean {
  const given = normalizeOption(text);
  return given !== "" && accepted.some((answer) => normalizeOption(answer) === given);
}

export interface Score {
  score: number;
  percent: number;
  points: number;
}

/** A percent as attempts show it: one decimal. */
export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function scoreOf(correct: boolean[]): Score {
  const score = correct.filter(Boolean).length;
  const percent = correct.length === 0 ? 0 : Math.round((score * 1000) / correct.length) / 10;
  return { score, percent, points: score * POINTS_PER_CORRECT_ANSWER };
}

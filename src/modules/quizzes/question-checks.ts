import { normalizeOption } from "../../infra/ai/schemas";
import { QuestionType } from "./quiz.model";

/** A question before it is stored, whether written by the AI or by hand. */
export interface CandidateQuestion {
  type: QuestionType;
  prompt: string;
  options: string[];
  correct: number[];
  acceptedAnswers: string[];
  explanation: string;
  /** Number of the cited passage, from 1, as numbered in the prompt. */
  passage?: number;
}

export interface CheckRules {
  /** Generated questions must cite one of this many passages; hand-made ones cite nothing. */
  passageCount?: number;
  /** Generated questions must explain their answer. */
  requireExplanation: boolean;
}

export const MAX_OPTIONS = 6;
export const TRUE_FALSE_OPTIONS = ["True", "False"];
/** Word-set overlap from which two questions count as the same question reworded. */
const NEAR_DUPLICATE_JACCARD = 0.8;

/** Everything wrong with one question, in words an author can act on; empty when it may be stored. */
export function questionProblems(question: CandidateQuestion, rules: CheckRules): string[] {
  const problems: string[] = [];
  if (!normalizeOption(question.prompt)) problems.push("the question is empty");
  problems.push(...keyProblems(question));
  if (rules.requireExplanation && !question.explanation.trim()) problems.push("no explanation");
  if (rules.passageCount !== undefined) {
    const passage = question.passage;
    if (passage === undefined || !Number.isInteger(passage) || passage < 1 || passage > rules.passageCount) {
      problems.push(`the citation must name a passage from 1 to ${rules.passageCount}`);
    }
  }
  return problems;
}

function keyProblems(question: CandidateQuestion): string[] {
  const { type, options, correct } = question;
  if (type === QuestionType.SHORT_ANSWER) {
    const problems: string[] = [];
    if (options.length > 0) problems.push("a short-answer question has no options");
    if (correct.length > 0) problems.push("a short-answer question has no option keys");
    if (!question.acceptedAnswers.some((answer) => normalizeOption(answer))) problems.push("no accepted answer");
    return problems;
  }
  const problems: string[] = [];
  if (question.acceptedAnswers.length > 0) problems.push("only short-answer questions have accepted answers");
  if (type === QuestionType.TRUE_FALSE) {
    if (options.length !== 2 || options.some((option, i) => option !== TRUE_FALSE_OPTIONS[i])) {
      problems.push('a true/false question has the options "True" and "False"');
    }
  } else if (options.length < (type === QuestionType.MULTIPLE_CHOICE ? 3 : 2) || options.length > MAX_OPTIONS) {
    problems.push(`${type === QuestionType.MULTIPLE_CHOICE ? "3" : "2"} to ${MAX_OPTIONS} options are needed`);
  }
  const normalized = options.map(normalizeOption);
  if (normalized.some((option) => !option)) problems.push("an option is empty");
  if (new Set(normalized).size !== normalized.length) problems.push("options repeat");
  if (correct.some((key) => !Number.isInteger(key) || key < 0 || key >= options.length)) problems.push("a key is out of range");
  if (new Set(correct).size !== correct.length) problems.push("a key repeats");
  if (type === QuestionType.MULTIPLE_CHOICE) {
    if (correct.length < 1 || correct.length >= options.length) problems.push("a multiple-choice question has at least one right and one wrong option");
  } else if (correct.length !== 1) {
    problems.push("exactly one key is needed");
  }
  return problems;
}

/** Same question, reworded: equal after normalization, or nearly the same words. */
export function isNearDuplicate(a: string, b: string): boolean {
  const left = new Set(normalizeOption(a).split(" ").filter(Boolean));
  const right = new Set(normalizeOption(b).split(" ").filter(Boolean));
  if (left.size === 0 || right.size === 0) return left.size === right.size;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared += 1;
  return shared / (left.size + right.size - shared) >= NEAR_DUPLICATE_JACCARD;
}

/** Indexes of questions that repeat an earlier one in the list. */
export function repeatedQuestions(prompts: string[]): number[] {
  return prompts.flatMap((prompt, i) => (prompts.slice(0, i).some((earlier) => isNearDuplicate(earlier, prompt)) ? [i] : []));
}

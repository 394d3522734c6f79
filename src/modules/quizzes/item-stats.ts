import type { Types } from "mongoose";
import { QuestionType, type Question } from "./quiz.model";

export enum ItemFlag {
  /** Almost nobody gets it right: a wrong key, or a question the material does not answer. */
  ALMOST_EVERYONE_MISSES = "ALMOST_EVERYONE_MISSES",
  /** The strongest learners miss it more than the weakest: usually ambiguous or keyed wrong. */
  BEST_SCORERS_MISS_MORE = "BEST_SCORERS_MISS_MORE",
}

export interface AttemptForStats {
  percent: number;
  answers: { question_id: Types.ObjectId; selected_options: number[]; text?: string; correct: boolean }[];
}

export interface ItemStats {
  questionId: Types.ObjectId;
  /** Attempts that chose an option or wrote an answer. */
  answered: number;
  /** Share of the attempts that had the question answering it correctly, 0 to 1. */
  correctShare: number;
  /** How many attempts chose each option, by option index. */
  optionCounts: number[];
  flags: ItemFlag[];
}

/** Flags need enough attempts to mean something. */
export const MIN_ATTEMPTS_FOR_FLAGS = 5;
const ALMOST_EVERYONE_MISSES_BELOW = 0.2;
/** The classic upper and lower groups of item analysis: the top and bottom 27% of scores. */
const GROUP_SHARE = 0.27;

/** Per-question statistics of a quiz's attempts, in question order. */
export function itemStatistics(questions: Question[], attempts: AttemptForStats[]): ItemStats[] {
  const ranked = [...attempts].sort((a, b) => b.percent - a.percent);
  const groupSize = Math.max(1, Math.floor(ranked.length * GROUP_SHARE));
  const best = ranked.slice(0, groupSize);
  const weakest = ranked.slice(-groupSize);
  return questions.map((question) => {
    const key = String(question._id);
    // Attempts taken before the question was written do not count for it.
    const answersTo = (list: AttemptForStats[]) =>
      list.flatMap((attempt) => attempt.answers.filter((answer) => String(answer.question_id) === key));
    const all = answersTo(attempts);
    const optionCounts = question.type === QuestionType.SHORT_ANSWER ? [] : question.options.map(() => 0);
    for (const answer of all) for (const option of answer.selected_options) if (option < optionCounts.length) optionCounts[option] += 1;
    const correctShare = shareCorrect(all);
    const flags: ItemFlag[] = [];
    if (all.length >= MIN_ATTEMPTS_FOR_FLAGS) {
      if (correctShare < ALMOST_EVERYONE_MISSES_BELOW) flags.push(ItemFlag.ALMOST_EVERYONE_MISSES);
      if (shareCorrect(answersTo(best)) < shareCorrect(answersTo(weakest))) flags.push(ItemFlag.BEST_SCORERS_MISS_MORE);
    }
    return { questionId: question._id, answered: all.filter((answer) => answer.selected_options.length > 0 || answer.text).length, correctShare, optionCounts, flags };
  });
}

function shareCorrect(answers: { correct: boolean }[]): number {
  if (answers.length === 0) return 0;
  return answers.filter((answer) => answer.correct).length / answers.length;
}

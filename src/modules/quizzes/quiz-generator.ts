import type { AiProvider, CallOptions } from "../../infra/ai/provider";
import { quizDraftPrompt, type QuizDifficulty } from "../../infra/ai/prompts";
import type { QuizDraft } from "../../infra/ai/schemas";
import { normalizeOption } from "../../infra/ai/schemas";
import { raise } from "../../lib/errors";
import { isNearDuplicate, questionProblems, TRUE_FALSE_OPTIONS, type CandidateQuestion } from "./question-checks";
import type { MaterialPassage } from "./quiz-material";
import { QuestionType, type DroppedQuestion } from "./quiz.model";

/** Rounds of replacements for rejected questions after the first answer; bounds cost and time. */
export const MAX_REGENERATION_ROUNDS = 2;

export interface QuizRequest {
  numQuestions: number;
  difficulty: QuizDifficulty;
  /** Types to mix; any type when absent. */
  types?: QuestionType[];
}

export interface WrittenQuestions {
  /** Checked questions, each citing a passage by its number from 1. */
  questions: (CandidateQuestion & { passage: number })[];
  regenerated: number;
  rejected: DroppedQuestion[];
}

/**
 * Asks the AI for questions and keeps only those that pass every check; rejected ones are asked
 * for again, avoiding the kept ones, for a bounded number of rounds, then dropped and reported.
 * Never returns a question that failed a check; fails when no question passes at all.
 */
export async function writeCheckedQuestions(
  ai: AiProvider,
  passages: MaterialPassage[],
  request: QuizRequest,
  options: CallOptions,
): Promise<WrittenQuestions> {
  const kept: (CandidateQuestion & { passage: number })[] = [];
  const rejected: DroppedQuestion[] = [];
  let regenerated = 0;
  for (let round = 0; round <= MAX_REGENERATION_ROUNDS && kept.length < request.numQuestions; round++) {
    const answer = await ai.generateJson(
      quizDraftPrompt({
        passages: passages.map((passage) => ({ text: passage.text, title: passage.sourceTitle })),
        numQuestions: request.numQuestions - kept.length,
        difficulty: request.difficulty,
        types: request.types,
        avoid: kept.map((question) => question.prompt),
      }),
      options,
    );
    for (const draft of answer.value.questions) {
      if (kept.length >= request.numQuestions) break;
      const { question, problems } = fromDraft(draft);
      problems.push(...questionProblems(question, { passageCount: passages.length, requireExplanation: true }));
      if (request.types?.length && !request.types.includes(question.type)) problems.push(`${question.type} questions were not asked for`);
      if (kept.some((other) => isNearDuplicate(other.prompt, question.prompt))) problems.push("repeats another question");
      if (problems.length > 0) {
        rejected.push({ prompt: question.prompt, problems });
        continue;
      }
      // questionProblems rejected questions without a passage in range.
      kept.push({ ...question, passage: question.passage as number });
      if (round > 0) regenerated += 1;
    }
  }
  if (kept.length === 0) {
    raise("AI_UNAVAILABLE", "The AI provider wrote no question that passed the checks; try again", {
      rejected: rejected.map((item) => item.problems.join("; ")),
    });
  }
  return { questions: kept, regenerated, rejected };
}

type DraftQuestion = QuizDraft["questions"][number];

function fromDraft(draft: DraftQuestion): { question: CandidateQuestion; problems: string[] } {
  const problems: string[] = [];
  const typeName = (draft.type ?? QuestionType.SINGLE_CHOICE).trim().toUpperCase().replace(/[\s-]+/g, "_");
  const type = Object.values(QuestionType).find((value) => value === typeName);
  if (!type) problems.push(`unknown question type ${JSON.stringify(draft.type)}`);
  let options = (draft.options ?? []).map((option) => option.trim());
  // Models write "true"/"TRUE"; the stored options are always exactly these two.
  if (type === QuestionType.TRUE_FALSE && (options.length === 0 || options.map(normalizeOption).join() === "true,false")) {
    options = [...TRUE_FALSE_OPTIONS];
  }
  const question: CandidateQuestion = {
    type: type ?? QuestionType.SINGLE_CHOICE,
    prompt: draft.prompt.trim(),
    options,
    correct: draft.correct ?? (draft.correctIndex === undefined ? [] : [draft.correctIndex]),
    acceptedAnswers: (draft.acceptedAnswers ?? []).map((answer) => answer.trim()).filter(Boolean),
    explanation: (draft.explanation ?? "").trim(),
    passage: draft.passage,
  };
  return { question, problems };
}

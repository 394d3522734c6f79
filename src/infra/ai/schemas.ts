import { z } from "zod";

/** Options that differ only in case, spacing or punctuation are the same option to a learner. */
export function normalizeOption(option: string): string {
  return option
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function allDistinct(values: string[]): boolean {
  return new Set(values.map(normalizeOption)).size === values.length;
}

export const QUIZ_OPTION_COUNT = 4;

export const courseOutlineSchema = z.object({
  title: z.string().trim().min(1).max(200).describe("Course title"),
  description: z.string().trim().min(1).max(1000).describe("Two or three sentences on what the course covers"),
  chapters: z
    .array(
      z.object({
        title: z.string().trim().min(1).max(200).describe("Chapter title"),
        content: z.string().trim().min(1).describe("The chapter's teaching text in Markdown"),
        durationMinutes: z.number().int().min(1).max(600).describe("Estimated study time in minutes"),
      }),
    )
    .min(1)
    .max(20),
});
export type CourseOutline = z.infer<typeof courseOutlineSchema>;

export const quizQuestionSchema = z.object({
  prompt: z.string().trim().min(1).describe("The question"),
  options: z
    .array(z.string().trim().min(1))
    .length(QUIZ_OPTION_COUNT)
    .refine(allDistinct, "options must be distinct")
    .describe("Exactly four distinct answer options"),
  correctIndex: z.number().int().min(0).max(QUIZ_OPTION_COUNT - 1).describe("Index (0-3) of the correct option"),
  explanation: z.string().trim().min(1).describe("Why the correct option is right, from the passage"),
  passage: z.number().int().min(1).describe("Number of the passage the question is drawn from"),
});
export type QuizQuestion = z.infer<typeof quizQuestionSchema>;

export const quizSchema = z.object({
  questions: z
    .array(quizQuestionSchema)
    .min(1)
    .max(20)
    .refine((questions) => allDistinct(questions.map((q) => q.prompt)), "questions must not repeat"),
});
export type GeneratedQuiz = z.infer<typeof quizSchema>;

/**
 * Quiz questions checked for shape only; `correct` (indexes) or the offline provider's
 * `correctIndex` gives the key. The quiz service checks each question's content.
 */
export const quizDraftSchema = z.object({
  questions: z
    .array(
      z.object({
        type: z.string().optional().describe("SINGLE_CHOICE, MULTIPLE_CHOICE, TRUE_FALSE or SHORT_ANSWER"),
        prompt: z.string().describe("The question"),
        options: z.array(z.string()).optional().describe("Answer options (none for SHORT_ANSWER)"),
        correct: z.array(z.number().int()).optional().describe("Indexes of the correct options"),
        correctIndex: z.number().int().optional().describe("Index of the correct option (single choice)"),
        acceptedAnswers: z.array(z.string()).optional().describe("Accepted answers (SHORT_ANSWER only)"),
        explanation: z.string().optional().describe("Why the answer is right, from the passage"),
        passage: z.number().int().optional().describe("Number of the passage the question is drawn from"),
      }),
    )
    .min(1)
    .max(40),
});
export type QuizDraft = z.infer<typeof quizDraftSchema>;

export const shortAnswerGradeSchema = z.object({
  correct: z.boolean().describe("Whether the answer means the same as an accepted answer"),
  score: z.number().min(0).max(1).describe("How close the answer is, from 0 to 1"),
  feedback: z.string().trim().min(1).describe("One sentence for the learner on why"),
});
export type ShortAnswerGrade = z.infer<typeof shortAnswerGradeSchema>;

/**
 * Flashcards checked for shape only: one bad card does not fail the answer; the study service
 * checks each card (sides, cloze markers, duplicates, support in the cited passage).
 */
export const flashcardDraftSchema = z.object({
  cards: z
    .array(
      z.object({
        kind: z.string().optional().describe("BASIC (front and back) or CLOZE (text with {{c1::...}} deletions)"),
        front: z.string().optional().describe("BASIC: the question side"),
        back: z.string().optional().describe("BASIC: the answer side, stated as the passage states it"),
        text: z.string().optional().describe("CLOZE: one sentence from the passage with key terms wrapped as {{c1::term}}, {{c2::term}}"),
        explanation: z.string().optional().describe("One sentence of context from the passage"),
        tags: z.array(z.string()).optional().describe("A few topic tags"),
        passage: z.number().int().optional().describe("Number of the passage the card is drawn from"),
      }),
    )
    .min(1)
    .max(60),
});
export type FlashcardDraft = z.infer<typeof flashcardDraftSchema>;
export const claimCheckSchema = z.object({
  verdicts: z
    .array(
      z.object({
        claim: z.number().int().min(1).describe("The claim's number"),
        supported: z.boolean().describe("Whether its passages say what the claim says"),
      }),
    )
    .describe("One verdict per claim"),
});
export type ClaimCheck = z.infer<typeof claimCheckSchema>;

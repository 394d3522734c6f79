/**
 * What a prompt asks, as structured data: the offline provider answers from it (it cannot read
 * instructions), and the words of each union are the values the domains' own enums carry, so
 * a domain passes its enum value straight in and the compiler checks they agree.
 */

export type CourseLevel = "BEGINNER" | "INTERMEDIATE" | "ADVANCED";
export type QuizDifficulty = "EASY" | "MEDIUM" | "HARD";
export type TutorMode = "STRICT" | "HYBRID";

/** A retrieved piece of material; prompts number them from 1 so answers can cite `[n]`. */
export interface Passage {
  text: string;
  title?: string;
  /** The headings above the passage in its document (`Chapter > Section`), where it has any: what it is about. */
  heading?: string;
}

export interface ChatTurn {
  role: "user" | "assistant";
  text: string;
}

export interface CourseOutlineTask {
  kind: "courseOutline";
  topic: string;
  level: CourseLevel;
  numChapters: number;
  language?: string;
  /** Build the course from this document rather than from general knowledge. */
  source?: { title?: string; text: string };
}

export type QuizQuestionKind = "SINGLE_CHOICE" | "MULTIPLE_CHOICE" | "TRUE_FALSE" | "SHORT_ANSWER";

export interface QuizTask {
  kind: "quiz";
  passages: Passage[];
  numQuestions: number;
  difficulty: QuizDifficulty;
  /** Question types to mix; the offline provider writes single-choice cloze questions whatever is asked. */
  types?: QuizQuestionKind[];
  /** Questions already kept, which new ones must not repeat (when replacing rejected ones). */
  avoid?: string[];
}

export interface TutorAnswerTask {
  kind: "tutorAnswer";
  question: string;
  passages: Passage[];
  history: ChatTurn[];
  mode: TutorMode;
  /** How telling each key term of the question (a stem or an exact term) is in the learner's whole material, where known: the offline tutor weighs terms by it. */
  termRarity?: Record<string, number>;
}

export interface ShortAnswerGradeTask {
  kind: "gradeShortAnswer";
  question: string;
  acceptedAnswers: string[];
  answer: string;
}

export type FlashcardKind = "BASIC" | "CLOZE";

export interface FlashcardTask {
  kind: "flashcards";
  passages: Passage[];
  count: number;
  /** Card kinds to mix. */
  kinds: FlashcardKind[];
  /** Fronts (or cloze texts) already in the deck, which new cards must not repeat. */
  avoid?: string[];
}

/** Whether each claim of an answer is supported by the passages it cites. */
export interface ClaimCheckTask {
  kind: "checkClaims";
  claims: { text: string; passages: string[] }[];
}

export type PromptTask = CourseOutlineTask | QuizTask | TutorAnswerTask | ShortAnswerGradeTask | FlashcardTask | ClaimCheckTask;

import type { Logger } from "../../lib/logger";
import { answerTogether } from "../../lib/raw-reads";
import type { QuizAttempt } from "../quizzes/attempt.model";
import { QuestionType, type Question, type Quiz } from "../quizzes/quiz.model";
import { CardKind, CardSourceType, type Card } from "./card.model";
import type { DeckService } from "./deck.service";
import type { ReviewService } from "./review.service";
import { CARD_EXPLANATION_MAX_LENGTH, CARD_SIDE_MAX_LENGTH } from "./deck.model";

/**
 * Wrong answers come back as cards: each question answered wrongly (or partly so) in a stored
 * attempt goes into the learner's Mistakes deck, or its card there is failed again; either way
 * it is due at once, and FSRS lets it drift out as the learner gets it right.
 */
export class MistakesDeck {
  constructor(private readonly deps: { decks: DeckService; reviews: ReviewService; log: Logger }) {}

  async attemptStored(attempt: QuizAttempt, quiz: Quiz, studyingSince?: Date): Promise<void> {
    const wrong = attempt.answers.filter((answer) => !answer.correct);
    if (wrong.length === 0) return;
    try {
      const missed = wrong.flatMap((answer) => {
        const question = quiz.questions.find((item) => item._id.equals(answer.question_id));
        return question ? [{ question, answer }] : [];
      });
      // The settings and the cards these questions already have, in one command.
      const { profile, known } = await answerTogether({
        profile: this.deps.reviews.settingsRead(attempt.user_id),
        known: this.deps.decks.mistakeCardsRead(attempt.user_id, missed.map(({ question }) => question._id)),
      });
      if (!profile.mistakes_deck) return;
      const byQuestion = new Map(known.map((card) => [String(card.source?.question_id), card]));
      const fresh = missed.filter(({ question }) => !byQuestion.has(String(question._id)));
      // The deck is read (or made) only for questions missed for the first time.
      const added =
        fresh.length === 0
          ? []
          : await this.deps.decks.insertCards(
              await this.deps.decks.mistakesDeck(attempt.user_id),
              fresh.map(({ question, answer }) => ({ content: contentOf(question), source: sourceOf(quiz, question, answer.chapter_id) })),
            );
      fresh.forEach(({ question }, i) => byQuestion.set(String(question._id), added[i]));
      const cards = missed.map(({ question }) => ({ card: byQuestion.get(String(question._id))!, key: `mistake:${attempt._id}:${question._id}` }));
      await this.deps.reviews.missed({ _id: attempt.user_id, studying_since: studyingSince }, profile, cards, attempt.created_at);
    } catch (error) {
      // The attempt is graded and stored whatever happens here; the learner can still study it later.
      this.deps.log.error({ err: error, attemptId: String(attempt._id) }, "study: could not add the attempt's mistakes to the Mistakes deck");
    }
  }
}

function contentOf(question: Question) {
  return {
    kind: CardKind.BASIC,
    front: clip(question.prompt, CARD_SIDE_MAX_LENGTH),
    back: clip(correctAnswer(question), CARD_SIDE_MAX_LENGTH),
    explanation: clip(question.explanation, CARD_EXPLANATION_MAX_LENGTH),
    tags: ["mistake"],
  };
}

function correctAnswer(question: Question): string {
  if (question.type === QuestionType.SHORT_ANSWER) return question.accepted_answers.join(" / ");
  return question.correct_options.map((index) => question.options[index]).join(", ");
}

function sourceOf(quiz: Quiz, question: Question, chapterId: Question["_id"] | undefined) {
  return {
    type: CardSourceType.QUIZ_QUESTION,
    quiz_id: quiz._id,
    question_id: question._id,
    course_id: quiz.course_id,
    chapter_id: chapterId ?? quiz.chapter_id,
    title: quiz.title,
    excerpt: question.citation?.excerpt,
    page_start: question.citation?.page_start,
    page_end: question.citation?.page_end,
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

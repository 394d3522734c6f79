import { peers, type AppModule } from "../app-module";
import { QuizSources } from "../quizzes/quiz-sources";
import { CardResolver } from "./card.resolver";
import { DeckImport } from "./deck-import";
import { DeckResolver } from "./deck.resolver";
import { DeckService } from "./deck.service";
import { FlashcardGenerator } from "./flashcard-generator";
import { MistakesDeck } from "./mistakes";
import { ReviewResolver } from "./review.resolver";
import { ReviewService } from "./review.service";
import { Scheduler } from "./scheduler";
import { StudyCleanup } from "./study.cleanup";
import { studyRoutes } from "./study.rest";

/** Flashcards, decks, each learner's FSRS schedules, the review queue, generation, export and import. */
export const studyModule: AppModule<{ decks: DeckService; reviews: ReviewService; flashcards: FlashcardGenerator; deckImport: DeckImport }> = {
  name: "study",
  resolvers: [DeckResolver, CardResolver, ReviewResolver],
  create({ ai, aiWork, log, events, services }) {
    const cleanup = new StudyCleanup(peers(services, ["courses"]));
    const decks = new DeckService(peers(services, ["courses"], { cleanup }));
    const reviews = new ReviewService(peers(services, ["courses", "progress", "users"], { decks, scheduler: new Scheduler(), events }));
    const sources = new QuizSources(peers(services, ["courses", "chapters", "uploads", "passages"]));
    const flashcards = new FlashcardGenerator(peers(services, ["users"], { ai, aiWork, sources, decks, cleanup }));
    const deckImport = new DeckImport({ decks });
    const mistakes = new MistakesDeck({ decks, reviews, log });
    return {
      services: { decks, reviews, flashcards, deckImport },
      handles: {
        "course.deleted": ({ courseId }) => cleanup.deleteForCourse(courseId),
        "attempt.stored": ({ attempt, quiz, studyingSince }) => mistakes.attemptStored(attempt, quiz, studyingSince),
        "user.deleted": ({ userId }) => cleanup.userDeleted(userId),
      },
      routes: [{ path: "/api/v1/decks", router: studyRoutes(peers(services, ["auth"], { decks })) }],
      start: () => Promise.all([decks.ready(), reviews.ready()]).then(() => undefined),
    };
  },
};

import { peers, type AppModule } from "../app-module";
import { AttemptResolver, GradedAnswerResolver } from "./attempt.resolver";
import { AttemptService } from "./attempt.service";
import { QuestionResolver } from "./question.resolver";
import { QuizCleanup } from "./quiz-cleanup";
import { QuizSources } from "./quiz-sources";
import { QuizResolver } from "./quiz.resolver";
import { QuizService } from "./quiz.service";

/** Quizzes, their generation from a course, chapter or upload, and graded attempts. */
export const quizzesModule: AppModule<{ quizzes: QuizService; attempts: AttemptService }> = {
  name: "quizzes",
  cachedQueries: ["quiz", "quizzes", "myQuizAttempts"],
  resolvers: [QuizResolver, QuestionResolver, AttemptResolver, GradedAnswerResolver],
  create({ ai, aiWork, config, log, events, services }) {
    const cleanup = new QuizCleanup(peers(services, ["courses"], { events, log }));
    const sources = new QuizSources(peers(services, ["courses", "chapters", "uploads", "passages"]));
    const quizzes = new QuizService(peers(services, ["courses", "users"], { ai, aiWork, sources, cleanup, courseQuizAuthors: config.quizzes.courseQuizAuthors }));
    const attempts = new AttemptService({ ai, quizzes, events, log, rules: config.leaderboard });
    return {
      services: { quizzes, attempts },
      handles: {
        "course.deleted": ({ courseId }) => cleanup.deleteForCourse(courseId),
        "upload.deleted": ({ uploadId }) => cleanup.deleteForUpload(uploadId),
        "chapter.deleted": ({ chapterId }) => cleanup.chapterDeleted(chapterId),
        "user.deleted": ({ userId }) => cleanup.userDeleted(userId),
      },
      // The leaderboard's aggregation relies on the attempts' indexes.
      start: () => Promise.all([quizzes.ready(), attempts.ready()]).then(() => undefined),
      /** Finishes deleting the quizzes of deleted chapters. */
      stop: () => cleanup.idle(),
    };
  },
};

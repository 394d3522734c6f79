import { randomUUID } from "node:crypto";
import { lastMailTo, verificationLink } from "../../helpers/mail";
import { PASSWORD, QUESTIONS, type Role, type World } from "./world";

/**
 * What a caller sees: "ok" (data), "empty" (data, but no item of the student's), "null" (the
 * field answers null, as for something that does not exist), or the error's code.
 */
export type Outcome = "ok" | "empty" | "null" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "BAD_USER_INPUT" | "CONFLICT";
export type Expected = Record<Role, Outcome>;

export interface Entry {
  /** Variables for one call by `role`; they name data the student owns (see World.owned). */
  vars(world: World, role: Role): Promise<Record<string, unknown>> | Record<string, unknown>;
  expect: Expected;
  /** Sent as a multipart upload, the file in `variables.file`. */
  upload?: true;
  /** The caller's token for this call, when the call ends all of the caller's sessions. */
  caller?(world: World, role: Role): Promise<string | undefined>;
}

const everyone = (outcome: Outcome = "ok"): Expected => ({
  anonymous: outcome,
  student: outcome,
  otherStudent: outcome,
  instructor: outcome,
  admin: outcome,
});

/** Any signed-in user, each acting on their own account or list. */
const signedIn = (outcome: Outcome = "ok", student: Outcome = outcome): Expected => ({
  anonymous: "UNAUTHENTICATED",
  student,
  otherStudent: outcome,
  instructor: outcome,
  admin: outcome,
});

const adminOnly: Expected = {
  anonymous: "UNAUTHENTICATED",
  student: "FORBIDDEN",
  otherStudent: "FORBIDDEN",
  instructor: "FORBIDDEN",
  admin: "ok",
};

/** The student's own data: the student may; other users get `others`, an admin `admin`. */
const ownerOnly = (others: Outcome, admin: Outcome = others, anonymous: Outcome = "UNAUTHENTICATED"): Expected => ({
  anonymous,
  student: "ok",
  otherStudent: others,
  instructor: others,
  admin,
});

/**
 * A course deck of the instructor's public course: its author (the instructor) and admins write
 * it; everyone signed in who may read the course (the enrolled student, another student) may not.
 */
const courseAuthors: Expected = {
  anonymous: "UNAUTHENTICATED",
  student: "FORBIDDEN",
  otherStudent: "FORBIDDEN",
  instructor: "ok",
  admin: "ok",
};

const newUser = async (world: World, role: Role) => (role === "anonymous" ? undefined : (await world.newUser(role)).accessToken);

/**
 * One entry per root field of the schema, as `Type.field`. The test lists the schema's fields
 * and fails on any without an entry here, so a new field cannot go unchecked.
 */
export const MATRIX: Record<string, Entry> = {
  // Queries
  "Query.adminStats": { vars: () => ({}), expect: adminOnly },
  "Query.chapter": { vars: (w) => ({ id: w.owned.chapterIds[0] }), expect: ownerOnly("null", "ok", "null") },
  "Query.chatSession": { vars: (w) => ({ id: w.owned.sessionId }), expect: ownerOnly("null") },
  "Query.chatSessions": { vars: () => ({}), expect: signedIn("empty", "ok") },
  "Query.card": { vars: (w) => ({ id: w.owned.cardId }), expect: ownerOnly("null", "ok") },
  "Query.cards": { vars: (w) => ({ deckId: w.owned.deckId }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Query.course": { vars: (w) => ({ id: w.owned.courseId }), expect: ownerOnly("null", "ok", "null") },
  "Query.courseGenerationJob": { vars: (w) => ({ jobId: w.owned.jobId }), expect: ownerOnly("null", "ok") },
  // The catalog now holds the instructor's public course of the course deck, so it is not empty.
  "Query.courses": { vars: () => ({ filter: { owner: "PUBLIC" } }), expect: everyone() },
  "Query.dashboard": { vars: () => ({}), expect: signedIn() },
  "Query.deck": { vars: (w) => ({ id: w.owned.deckId }), expect: ownerOnly("null", "ok") },
  "Query.decks": { vars: () => ({}), expect: signedIn("empty", "ok") },
  "Query.health": { vars: () => ({}), expect: everyone() },
  "Query.leaderboard": { vars: () => ({ period: "ALL_TIME" }), expect: signedIn() },
  "Query.me": { vars: () => ({}), expect: signedIn() },
  "Query.myQuizAttempts": { vars: (w) => ({ quizId: w.owned.quizId }), expect: signedIn("empty", "ok") },
  "Query.quiz": { vars: (w) => ({ id: w.owned.quizId }), expect: ownerOnly("null", "ok") },
  "Query.quizzes": { vars: (w) => ({ courseId: w.owned.courseId }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Query.reviewQueue": { vars: (w) => ({ deckId: w.owned.deckId }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Query.search": { vars: (w) => ({ query: "tides", uploadId: w.owned.uploadId }), expect: ownerOnly("empty") },
  "Query.studyPreferences": { vars: () => ({}), expect: signedIn() },
  "Query.studyStats": { vars: (w) => ({ courseId: w.owned.courseId }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Query.signInProviders": { vars: () => ({}), expect: everyone() },
  "Query.upload": { vars: (w) => ({ id: w.owned.uploadId }), expect: ownerOnly("null", "ok") },
  "Query.uploads": { vars: () => ({}), expect: signedIn("empty", "ok") },
  "Query.user": { vars: (w) => ({ id: w.sessions.student.userId }), expect: adminOnly },
  "Query.users": { vars: () => ({}), expect: adminOnly },

  // Mutations
  "Mutation.addChapter": {
    vars: (w) => ({ input: { courseId: w.owned.courseId, title: "More tides" } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.changePassword": {
    vars: () => ({ currentPassword: "not the password 1", newPassword: "another password 1" }),
    expect: signedIn("BAD_USER_INPUT"),
  },
  "Mutation.completeChapter": { vars: (w) => ({ chapterId: w.owned.chapterIds[0] }), expect: ownerOnly("NOT_FOUND", "FORBIDDEN") },
  "Mutation.createChatSession": {
    vars: (w) => ({ input: { courseId: w.owned.courseId, mode: "HYBRID" } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.createCard": {
    vars: (w) => ({ input: { deckId: w.courseDeck.deckId, front: `Spring tides? ${randomUUID().slice(0, 6)}`, back: "Sun and Moon in line" } }),
    expect: courseAuthors,
  },
  "Mutation.createCourse": { vars: () => ({ input: { title: "Mine", level: "BEGINNER" } }), expect: signedIn() },
  "Mutation.createCourseFromUpload": {
    vars: (w) => ({ uploadId: w.owned.uploadId, input: { level: "BEGINNER" } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.createDeck": { vars: (w) => ({ input: { title: "Course cards", courseId: w.courseDeck.courseId } }), expect: courseAuthors },
  "Mutation.createQuiz": {
    vars: (w) => ({ input: { title: "Quiz", courseId: w.owned.courseId, questions: QUESTIONS } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  // Each caller deletes an account of their own, made for the call (an admin's is not the last admin).
  "Mutation.deleteAccount": { vars: () => ({ password: PASSWORD }), caller: newUser, expect: signedIn() },
  "Mutation.deleteCard": { vars: async (w) => ({ id: (await w.deck("student")).cardId }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.deleteChapter": { vars: async (w) => ({ id: await w.chapter(w.owned.courseId) }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.deleteChatSession": { vars: async (w) => ({ id: await w.chatSession(w.owned.courseId) }), expect: ownerOnly("NOT_FOUND") },
  "Mutation.deleteCourse": { vars: async (w) => ({ id: await w.course() }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.deleteDeck": { vars: async (w) => ({ id: (await w.deck("instructor", w.courseDeck.courseId)).deckId }), expect: courseAuthors },
  "Mutation.deleteQuiz": { vars: async (w) => ({ id: (await w.quiz(w.owned.courseId)).id }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.deleteUpload": { vars: async (w) => ({ id: await w.upload() }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.deleteUser": { vars: async (w) => ({ userId: (await w.newUser("student")).userId }), expect: adminOnly },
  "Mutation.enroll": { vars: (w) => ({ courseId: w.owned.courseId }), expect: ownerOnly("NOT_FOUND", "FORBIDDEN") },
  "Mutation.generateCourse": { vars: () => ({ input: { topic: "Tides", level: "BEGINNER", numChapters: 3 } }), expect: signedIn() },
  "Mutation.generateFlashcards": {
    vars: (w) => ({ input: { chapterId: w.owned.chapterIds[0], count: 2 } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.generateQuiz": {
    vars: (w) => ({ input: { courseId: w.owned.courseId, numQuestions: 2 } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.importCards": { vars: (w) => ({ deckId: w.owned.deckId, file: null }), upload: true, expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.login": { vars: (w) => ({ input: { email: w.sessions.student.email, password: "matrix password 1" } }), expect: everyone() },
  "Mutation.logout": { vars: async (w) => ({ refreshToken: (await w.login(w.sessions.student.email)).refreshToken }), expect: everyone() },
  "Mutation.logoutAll": { vars: () => ({}), caller: newUser, expect: signedIn() },
  "Mutation.ping": { vars: () => ({ channel: "matrix", message: "hello" }), expect: adminOnly },
  "Mutation.publishCourse": { vars: (w) => ({ id: w.owned.courseId, isPublic: false }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.refreshToken": {
    vars: async (w) => ({ refreshToken: (await w.login(w.sessions.student.email)).refreshToken }),
    expect: everyone(),
  },
  "Mutation.register": {
    vars: () => ({ input: { name: "New", email: `new-${randomUUID().slice(0, 8)}@example.com`, password: "matrix password 1" } }),
    expect: everyone(),
  },
  "Mutation.renameChatSession": { vars: (w) => ({ id: w.owned.sessionId, title: "Renamed" }), expect: ownerOnly("NOT_FOUND") },
  "Mutation.reorderChapters": {
    vars: async (w) => {
      const courseId = await w.course();
      return { courseId, chapterIds: [await w.chapter(courseId), await w.chapter(courseId)].reverse() };
    },
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.repairCourseSummaries": { vars: () => ({}), expect: adminOnly },
  "Mutation.repairQuizStatistics": { vars: () => ({}), expect: adminOnly },
  // A fresh account each time: the mail is rate-limited per user, and a verified address is CONFLICT.
  "Mutation.requestEmailVerification": { vars: () => ({}), caller: newUser, expect: signedIn() },
  "Mutation.reprocessUpload": { vars: async (w) => ({ id: await w.upload() }), expect: ownerOnly("NOT_FOUND", "ok") },
  // Any reader of a course studies its decks, each on their own schedule.
  "Mutation.reviewCard": { vars: (w) => ({ cardId: w.courseDeck.cardId, rating: "GOOD" }), expect: signedIn() },
  "Mutation.sendChatMessage": { vars: (w) => ({ sessionId: w.owned.sessionId, content: "And neap tides?" }), expect: ownerOnly("NOT_FOUND") },
  "Mutation.setPasswordSignIn": { vars: () => ({ enabled: true }), expect: adminOnly },
  "Mutation.setUserActive": { vars: (w) => ({ userId: w.sessions.student.userId, active: true }), expect: adminOnly },
  "Mutation.setUserRole": { vars: (w) => ({ userId: w.sessions.student.userId, role: "STUDENT" }), expect: adminOnly },
  "Mutation.signInWithCode": { vars: () => ({ code: "not-a-sign-in-code" }), expect: everyone("UNAUTHENTICATED") },
  "Mutation.startCourseGeneration": { vars: () => ({ input: { topic: "Tides", level: "BEGINNER", numChapters: 3 } }), expect: signedIn() },
  "Mutation.stopChatGeneration": {
    vars: async (w) => ({ messageId: await w.chatTurn(w.owned.sessionId) }),
    expect: ownerOnly("NOT_FOUND"),
  },
  "Mutation.submitQuizAttempt": {
    vars: (w) => ({ quizId: w.owned.quizId, answers: [{ questionId: w.owned.questionIds[0], selectedOptions: [0] }] }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.uncompleteChapter": { vars: (w) => ({ chapterId: w.owned.chapterIds[0] }), expect: ownerOnly("NOT_FOUND", "FORBIDDEN") },
  "Mutation.unenroll": {
    vars: async (w) => {
      const courseId = await w.course();
      await w.must("student", "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: courseId });
      return { courseId };
    },
    expect: signedIn(),
  },
  // The mailed code is the proof: whoever holds it verifies the address it was sent to, signed in or not.
  "Mutation.verifyEmail": {
    vars: async (w) => {
      const fresh = await w.newUser("student");
      await w.must(fresh.accessToken, "mutation { requestEmailVerification }");
      return { token: verificationLink(await lastMailTo(w.server.config.mail.outboxDir, fresh.email)).searchParams.get("token") };
    },
    expect: everyone(),
  },
  "Mutation.updateCard": { vars: (w) => ({ id: w.owned.cardId, input: { back: "The Moon, mostly" } }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.unlinkIdentity": { vars: () => ({ id: "0123456789abcdef01234567" }), expect: signedIn("NOT_FOUND") },
  "Mutation.updateChapter": {
    vars: (w) => ({ id: w.owned.chapterIds[1], input: { title: "Renamed" } }),
    expect: ownerOnly("NOT_FOUND", "ok"),
  },
  "Mutation.updateCourse": { vars: (w) => ({ id: w.owned.courseId, input: { title: "Tides" } }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.updateDeck": { vars: (w) => ({ id: w.courseDeck.deckId, input: { title: "Renamed" } }), expect: courseAuthors },
  "Mutation.updateProfile": { vars: () => ({ input: { bio: "Hello" } }), expect: signedIn() },
  "Mutation.updateQuiz": { vars: (w) => ({ id: w.owned.quizId, input: { title: "Renamed" } }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Mutation.updateStudyPreferences": { vars: () => ({ input: { dailyNewLimit: 25 } }), expect: signedIn() },
  "Mutation.uploadFile": { vars: () => ({ file: null }), upload: true, expect: signedIn() },

  // Subscriptions: "ok" is a subscription that starts without an error.
  "Subscription.chatMessageStream": { vars: (w) => ({ messageId: w.owned.assistantMessageId }), expect: ownerOnly("NOT_FOUND") },
  "Subscription.chatSessionEvents": { vars: (w) => ({ sessionId: w.owned.sessionId }), expect: ownerOnly("NOT_FOUND") },
  "Subscription.courseGeneration": { vars: (w) => ({ jobId: w.owned.jobId }), expect: ownerOnly("NOT_FOUND", "ok") },
  "Subscription.ping": { vars: () => ({ channel: "matrix" }), expect: adminOnly },
  "Subscription.uploadProgress": { vars: (w) => ({ uploadId: w.owned.uploadId }), expect: ownerOnly("NOT_FOUND", "ok") },
};

/**
 * Nested fields with resolvers of their own: `query` names its result `result` and its entry says
 * what each role gets. They answer only under a parent the caller may read, and for the caller alone.
 */
export const NESTED: Record<string, { query: string } & Entry> = {
  "Card.myReviews": {
    query: "query($id: ID!) { result: card(id: $id) { myReviews { state } } }",
    vars: (w) => ({ id: w.courseDeck.cardId }),
    expect: signedIn(),
  },
  "Dashboard.dueToday": { query: "query { result: dashboard { dueToday } }", vars: () => ({}), expect: signedIn() },
  "Deck.canEdit": { query: "query($id: ID!) { result: deck(id: $id) { canEdit } }", vars: (w) => ({ id: w.owned.deckId }), expect: ownerOnly("null", "ok") },
  "Deck.cardCount": { query: "query($id: ID!) { result: deck(id: $id) { cardCount } }", vars: (w) => ({ id: w.owned.deckId }), expect: ownerOnly("null", "ok") },
};

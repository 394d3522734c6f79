import { randomUUID } from "node:crypto";
import type { GraphQLFormattedError } from "graphql";
import { startTestServer, type TestServer } from "../../helpers/server";
import { bearer, post } from "../support";

export const ROLES = ["anonymous", "student", "otherStudent", "instructor", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type SignedIn = Exclude<Role, "anonymous">;

export const PASSWORD = "matrix password 1";
const ADMIN_EMAIL = "matrix-admin@example.com";

export interface Result {
  data?: Record<string, unknown> | null;
  errors?: GraphQLFormattedError[];
}

/** Material the offline provider can write chapters, quizzes and answers from. */
export const MATERIAL = [
  "# Tides",
  "Tides are the regular rise and fall of the sea caused by the gravity of the Moon and the Sun acting on the rotating Earth.",
  "Spring tides happen when the Sun and the Moon line up, and neap tides when they pull at right angles to each other.",
].join("\n\n");

export const QUESTIONS = [
  { type: "SINGLE_CHOICE", prompt: "What mostly causes the tides?", options: ["The Moon", "The wind", "Whales"], correctOptions: [0], explanation: "The Moon's gravity." },
  { type: "SHORT_ANSWER", prompt: "Which tides come when the Sun and Moon line up?", acceptedAnswers: ["Spring tides"], explanation: "Spring tides." },
];

/** What the student owns: private, so nobody else should read or change it (admins aside). */
export interface Owned {
  courseId: string;
  chapterIds: string[];
  quizId: string;
  questionIds: string[];
  sessionId: string;
  assistantMessageId: string;
  uploadId: string;
  jobId: string;
  /** The student's personal deck and a card in it. */
  deckId: string;
  cardId: string;
}

/** A public course of the instructor's with a course deck of one card; the student is enrolled in it. */
export interface CourseDeck {
  courseId: string;
  deckId: string;
  cardId: string;
}

export class World {
  readonly sessions = {} as Record<SignedIn, { userId: string; email: string; accessToken: string; refreshToken: string }>;
  owned!: Owned;
  courseDeck!: CourseDeck;

  private constructor(readonly server: TestServer) {}

  static async start(): Promise<World> {
    const server = await startTestServer({ ADMIN_EMAIL, ADMIN_PASSWORD: PASSWORD, CHAT_MESSAGES_PER_MINUTE: "1000", CHAT_MAX_CONCURRENT: "100" });
    const world = new World(server);
    world.sessions.admin = await world.login(ADMIN_EMAIL);
    for (const role of ["student", "otherStudent", "instructor"] as const) world.sessions[role] = await world.newUser(role);
    world.owned = await world.ownedByStudent();
    world.courseDeck = await world.instructorsCourseDeck();
    return world;
  }

  /** A new user with the role's rights, signed in: for calls that end all of the caller's sessions. */
  async newUser(role: SignedIn): Promise<World["sessions"][SignedIn]> {
    const email = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await this.must(undefined, "mutation($input: RegisterInput!) { register(input: $input) { user { id } } }", {
      input: { name: role, email, password: PASSWORD },
    });
    const userId = (registered.register as { user: { id: string } }).user.id;
    const promoted = role === "instructor" ? "INSTRUCTOR" : role === "admin" ? "ADMIN" : undefined;
    if (promoted) {
      await this.must("admin", "mutation($id: ID!, $role: UserRole!) { setUserRole(userId: $id, role: $role) { id } }", { id: userId, role: promoted });
    }
    return this.login(email);
  }

  token(role: Role): string | undefined {
    return role === "anonymous" ? undefined : this.sessions[role].accessToken;
  }

  /** A new sign-in, for calls that end the caller's sessions or use up a refresh token. */
  async login(email: string): Promise<World["sessions"][SignedIn]> {
    const data = await this.must(undefined, "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken user { id } } }", {
      input: { email, password: PASSWORD },
    });
    const login = data.login as { accessToken: string; refreshToken: string; user: { id: string } };
    return { userId: login.user.id, email, accessToken: login.accessToken, refreshToken: login.refreshToken };
  }

  async request(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Result> {
    const response = await post(this.server.graphqlUrl, { query, variables }, bearer(token));
    if (!response.body) throw new Error(`not a GraphQL answer (${response.status}): ${response.text.slice(0, 200)}`);
    return response.body;
  }

  /** Data of a call that must succeed; `as` is a role or a token. */
  async must(as: Role | string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const token = as && (ROLES as readonly string[]).includes(as) ? this.token(as as Role) : as;
    const result = await this.request(token, query, variables);
    if (result.errors?.length || !result.data) throw new Error(`setup failed: ${query}\n${JSON.stringify(result.errors)}`);
    return result.data;
  }

  async course(): Promise<string> {
    const data = await this.must("student", "mutation { createCourse(input: { title: \"Tides\", level: BEGINNER }) { id } }");
    return (data.createCourse as { id: string }).id;
  }

  async chapter(courseId: string): Promise<string> {
    const data = await this.must("student", "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", {
      input: { courseId, title: "Tides", content: MATERIAL, durationMinutes: 5 },
    });
    return (data.addChapter as { id: string }).id;
  }

  async quiz(courseId: string): Promise<{ id: string; questionIds: string[] }> {
    const data = await this.must("student", "mutation($input: CreateQuizInput!) { createQuiz(input: $input) { id questions { id } } }", {
      input: { title: "Tides quiz", courseId, questions: QUESTIONS },
    });
    const quiz = data.createQuiz as { id: string; questions: { id: string }[] };
    return { id: quiz.id, questionIds: quiz.questions.map((q) => q.id) };
  }

  async chatSession(courseId: string): Promise<string> {
    const data = await this.must("student", "mutation($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }", {
      input: { courseId, mode: "HYBRID" },
    });
    return (data.createChatSession as { id: string }).id;
  }

  async chatTurn(sessionId: string): Promise<string> {
    const data = await this.must("student", "mutation($id: ID!) { sendChatMessage(sessionId: $id, content: \"What causes tides?\") { assistantMessage { id } } }", {
      id: sessionId,
    });
    return (data.sendChatMessage as { assistantMessage: { id: string } }).assistantMessage.id;
  }

  /** A new upload of the student's, ingested (READY or FAILED) so it can be reprocessed. */
  async upload(): Promise<string> {
    const form = new FormData();
    form.append("operations", JSON.stringify({ query: "mutation($file: Upload!) { uploadFile(file: $file) { id } }", variables: { file: null } }));
    form.append("map", JSON.stringify({ 0: ["variables.file"] }));
    // Distinct content: an upload of the same bytes is the same upload.
    form.append("0", new Blob([`${MATERIAL}\n\n${randomUUID()}`], { type: "text/plain" }), "tides.txt");
    const response = await fetch(this.server.graphqlUrl, {
      method: "POST",
      headers: { "apollo-require-preflight": "true", ...bearer(this.token("student")) },
      body: form,
    });
    const body = (await response.json()) as Result;
    const id = (body.data?.uploadFile as { id: string } | undefined)?.id;
    if (!id) throw new Error(`upload failed: ${JSON.stringify(body.errors)}`);
    for (let i = 0; i < 200; i++) {
      const data = await this.must("student", "query($id: ID!) { upload(id: $id) { status } }", { id });
      if (["READY", "FAILED"].includes((data.upload as { status: string }).status)) return id;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("upload never finished ingesting");
  }

  async generationJob(): Promise<string> {
    const data = await this.must("student", "mutation { startCourseGeneration(input: { topic: \"Tides\", level: BEGINNER, numChapters: 3 }) { id } }");
    return (data.startCourseGeneration as { id: string }).id;
  }

  /** A new deck of `as`'s, with one card: for calls that delete it. */
  async deck(as: Role, courseId?: string): Promise<{ deckId: string; cardId: string }> {
    const deck = await this.must(as, "mutation($input: CreateDeckInput!) { createDeck(input: $input) { id } }", { input: { title: "Tides deck", courseId } });
    const deckId = (deck.createDeck as { id: string }).id;
    const card = await this.must(as, "mutation($input: CreateCardInput!) { createCard(input: $input) { id } }", {
      input: { deckId, front: `What causes tides? ${randomUUID().slice(0, 6)}`, back: "The Moon's gravity" },
    });
    return { deckId, cardId: (card.createCard as { id: string }).id };
  }

  private async instructorsCourseDeck(): Promise<CourseDeck> {
    const created = await this.must("instructor", "mutation { createCourse(input: { title: \"Open tides\", level: BEGINNER }) { id } }");
    const courseId = (created.createCourse as { id: string }).id;
    await this.must("instructor", "mutation($id: ID!) { publishCourse(id: $id, isPublic: true) { id } }", { id: courseId });
    await this.must("student", "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: courseId });
    return { courseId, ...(await this.deck("instructor", courseId)) };
  }

  private async ownedByStudent(): Promise<Owned> {
    const courseId = await this.course();
    const chapterIds = [await this.chapter(courseId), await this.chapter(courseId)];
    await this.must("student", "mutation($id: ID!) { enroll(courseId: $id) { id } }", { id: courseId });
    const quiz = await this.quiz(courseId);
    await this.must("student", "mutation($quizId: ID!, $answers: [AnswerInput!]!) { submitQuizAttempt(quizId: $quizId, answers: $answers) { id } }", {
      quizId: quiz.id,
      answers: [{ questionId: quiz.questionIds[0], selectedOptions: [0] }],
    });
    const sessionId = await this.chatSession(courseId);
    const assistantMessageId = await this.chatTurn(sessionId);
    const uploadId = await this.upload();
    const jobId = await this.generationJob();
    const { deckId, cardId } = await this.deck("student");
    return { courseId, chapterIds, quizId: quiz.id, questionIds: quiz.questionIds, sessionId, assistantMessageId, uploadId, jobId, deckId, cardId };
  }
}

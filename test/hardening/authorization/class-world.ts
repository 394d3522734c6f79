import { randomUUID } from "node:crypto";
import { verifyEmailThroughMail } from "../../helpers/mail";
import { startTestServer, type TestServer } from "../../helpers/server";
import { bearer, post } from "../support";
import { PASSWORD, QUESTIONS, type Result } from "./world";

/** The roles of the classes table: who someone is with respect to one class. */
export const CLASS_ROLES = ["anonymous", "outsider", "student", "ta", "teacher", "otherInstructor", "admin"] as const;
export type ClassRole = (typeof CLASS_ROLES)[number];
type SignedIn = Exclude<ClassRole, "anonymous">;

const ADMIN_EMAIL = "class-matrix-admin@example.com";

/**
 * One server with a class: its teacher (an instructor), a TA and a student; a student outside it,
 * another instructor and an admin. The class has a private course of the teacher's assigned as a
 * course and as a quiz (many attempts), and the student has an invitation waiting elsewhere.
 */
export class ClassWorld {
  readonly users = {} as Record<SignedIn, { id: string; email: string; token: string }>;
  classId!: string;
  courseId!: string;
  quizId!: string;
  questionIds!: string[];
  courseAssignmentId!: string;
  quizAssignmentId!: string;

  private constructor(readonly server: TestServer) {}

  static async start(): Promise<ClassWorld> {
    const server = await startTestServer({ ADMIN_EMAIL, ADMIN_PASSWORD: PASSWORD });
    const world = new ClassWorld(server);
    const admin = await world.login(ADMIN_EMAIL);
    world.users.admin = { ...admin, email: ADMIN_EMAIL };
    for (const role of ["outsider", "student", "ta", "teacher", "otherInstructor"] as const) world.users[role] = await world.newUser(role);
    const cls = await world.newClass({ student: true, ta: true });
    world.classId = cls;
    const course = await world.must("teacher", "mutation { createCourse(input: { title: \"Class tides\", level: BEGINNER }) { id } }");
    world.courseId = (course.createCourse as { id: string }).id;
    await world.must("teacher", "mutation($input: AddChapterInput!) { addChapter(input: $input) { id } }", {
      input: { courseId: world.courseId, title: "Tides", content: "Tides are the rise and fall of the sea.", durationMinutes: 5 },
    });
    const quiz = await world.must("teacher", "mutation($input: CreateQuizInput!) { createQuiz(input: $input) { id questions { id } } }", {
      input: { title: "Class quiz", courseId: world.courseId, questions: QUESTIONS },
    });
    const created = quiz.createQuiz as { id: string; questions: { id: string }[] };
    world.quizId = created.id;
    world.questionIds = created.questions.map((question) => question.id);
    world.courseAssignmentId = await world.assignment("COURSE", world.courseId);
    world.quizAssignmentId = await world.assignment("QUIZ", world.quizId, { attemptsAllowed: 100 });
    // A quiz attempt, so that the class's question statistics have something to count.
    await world.must("student", "mutation($id: ID!, $answers: [AnswerInput!]!) { submitAssignment(assignmentId: $id, answers: $answers) { late } }", {
      id: world.quizAssignmentId,
      answers: [{ questionId: world.questionIds[0], selectedOptions: [0] }],
    });
    // An invitation waiting for the student in another class.
    const other = await world.newClass({});
    await world.invite(other, world.users.student.email);
    return world;
  }

  token(role: ClassRole): string | undefined {
    return role === "anonymous" ? undefined : this.users[role].token;
  }

  async newUser(role: Exclude<SignedIn, "admin">): Promise<{ id: string; email: string; token: string }> {
    const email = `${role.toLowerCase()}-${randomUUID().slice(0, 8)}@example.com`;
    const registered = await this.must(undefined, "mutation($input: RegisterInput!) { register(input: $input) { user { id } } }", { input: { name: role, email, password: PASSWORD } });
    const id = (registered.register as { user: { id: string } }).user.id;
    if (role === "teacher" || role === "otherInstructor") {
      await this.must("admin", "mutation($id: ID!) { setUserRole(userId: $id, role: INSTRUCTOR) { id } }", { id });
    }
    const signedIn = await this.login(email);
    // Invitations reach verified addresses only: each proves theirs through the mail, as a user would.
    await verifyEmailThroughMail(this.server.graphqlUrl, this.server.config.mail.outboxDir, signedIn.token, email);
    return { ...signedIn, email };
  }

  /** A new class of the teacher's; with the student (by code) and the TA (by invitation) when asked. */
  async newClass(members: { student?: boolean; ta?: boolean }): Promise<string> {
    const created = await this.must("teacher", "mutation { createClass(input: { name: \"Matrix class\" }) { id joinCode { code } } }");
    const { id, joinCode } = created.createClass as { id: string; joinCode: { code: string } };
    if (members.student) await this.must("student", "mutation($code: String!) { joinClass(code: $code) { id } }", { code: joinCode.code });
    if (members.ta) {
      const invitation = await this.invite(id, this.users.ta.email, "TA");
      await this.must("ta", "mutation($id: ID!) { acceptClassInvitation(id: $id) { id } }", { id: invitation });
    }
    return id;
  }

  async invite(classId: string, email: string, role = "STUDENT"): Promise<string> {
    const sent = await this.must("teacher", "mutation($id: ID!, $emails: [EmailAddress!]!, $role: ClassRole!) { inviteToClass(classId: $id, emails: $emails, role: $role) { id } }", {
      id: classId,
      emails: [email],
      role,
    });
    return (sent.inviteToClass as { id: string }[])[0].id;
  }

  async assignment(kind: string, targetId: string, extra: Record<string, unknown> = {}, classId = this.classId): Promise<string> {
    const now = Date.now();
    const created = await this.must("teacher", "mutation($input: CreateAssignmentInput!) { createAssignment(input: $input) { id } }", {
      input: { classId, kind, targetId, opensAt: new Date(now - 60_000).toISOString(), dueAt: new Date(now + 3_600_000).toISOString(), ...extra },
    });
    return (created.createAssignment as { id: string }).id;
  }

  async login(email: string): Promise<{ id: string; token: string }> {
    const data = await this.must(undefined, "mutation($input: LoginInput!) { login(input: $input) { accessToken user { id } } }", { input: { email, password: PASSWORD } });
    const login = data.login as { accessToken: string; user: { id: string } };
    return { id: login.user.id, token: login.accessToken };
  }

  async request(token: string | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Result> {
    const response = await post(this.server.graphqlUrl, { query, variables }, bearer(token));
    if (!response.body) throw new Error(`not a GraphQL answer (${response.status}): ${response.text.slice(0, 200)}`);
    return response.body;
  }

  async must(as: ClassRole | undefined, query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const result = await this.request(as ? this.token(as) : undefined, query, variables);
    if (result.errors?.length || !result.data) throw new Error(`setup failed: ${query}\n${JSON.stringify(result.errors)}`);
    return result.data;
  }
}

import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";
import { MongoClient } from "mongodb";
import { print } from "graphql";
import {
  AddChapterDocument,
  CompleteChapterDocument,
  CreateCourseDocument,
  CreateQuizDocument,
  DashboardDocument,
  EnrollDocument,
  LoginDocument,
  PublishCourseDocument,
  RegisterDocument,
  SetUserRoleDocument,
  SubmitQuizAttemptDocument,
  type QuestionInput,
} from "../test/generated/graphql";
import { startInstance, type Instance } from "../test/helpers/instance";
import { graphqlClient, type GraphQLResponse } from "../test/helpers/graphql";

const ROOT = resolve(__dirname, "..");
/** BENCH_READ_SECONDS measures longer (or shorter) per server and page. */
const SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 16;
const CHAPTERS_PER_COURSE = 5;
const PUBLIC_COURSES = 30;
const ENROLLED = 15;
const OWN_COURSES = 5;
/** BENCH_READ_PAGES=courses,quiz measures only those pages (by root field). */
const ONLY = process.env.BENCH_READ_PAGES?.split(",").map((root) => root.trim());
const ADMIN = { email: "bench-admin@example.com", password: "bench admin password 1" };

/** The page of the issue: a learner's own and enrolled courses with their chapters and progress. */
const NESTED_LIST = `query MyCourses {
  courses(filter: { owner: MINE }, limit: 20) {
    total
    items { id title description level tags owner { id name } chapterCount
      chapters { id title order durationMinutes }
      myProgress { percent completedChapters } }
  }
}`;

/** What a learner taking a quiz is shown. */
const QUIZ_PAGE = `query QuizPage($id: ID!) {
  quiz(id: $id) {
    id title questionCount createdAt owner { id name } stats { attempts averagePercent }
    questions { id type prompt options }
  }
}`;

interface Page {
  name: string;
  body: string;
  /** The response's root field, served from memory by the yardsticks. */
  root: string;
}

interface Run {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

/** CPU seconds (user + system) a process has used, from /proc: nothing is added to the process measured. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** About 3 KB of Markdown, different per chapter. */
function chapterMarkdown(course: number, chapter: number): string {
  const paragraph = (n: number) =>
    `Paragraph ${n} of chapter ${chapter} in course ${course}. Spaced repetition moves a fact from short-term to ` +
    `long-term memory by reviewing it just before it would be forgotten; each review pushes the next one further out. ` +
    `Worked examples, then faded examples, then problems: the learner carries more of the load at every step.`;
  return [`# Chapter ${chapter}`, ...Array.from({ length: 9 }, (_, n) => paragraph(n + 1)), "```ts\nconst next = interval * ease;\n```"].join("\n\n");
}

const QUESTIONS: QuestionInput[] = Array.from({ length: 10 }, (_, i) => ({
  type: "SINGLE_CHOICE",
  prompt: `Question ${i + 1}: when should a fact be reviewed?`,
  options: ["Just before it is forgotten", "Every hour", "Never", "Once a year"],
  correctOptions: [0],
  explanation: "Reviews just before forgetting strengthen memory the most.",
}));

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`bench seed failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** The database in its own process (`npm run db`), as mongod would be. */
export async function startDatabase(): Promise<{ uri: string; pid: number; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, [...profile, "-r", "@swc-node/register", "src/embedded-mongo/cli.ts", "--port", "0", "--in-memory"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const uri = await firstLine(child);
  return { uri, pid: child.pid!, stop: () => stopChild(child) };
}

/** Bare Apollo Server 5 and GraphQL Yoga answering `recorded` from memory (bench/bare-servers.ts). */
async function startYardsticks(recorded: Record<string, unknown>, dir: string): Promise<{ apollo: string; yoga: string; pid: number; stop(): Promise<void> }> {
  const file = join(dir, "recorded.json");
  writeFileSync(file, JSON.stringify(recorded));
  const child = spawn(process.execPath, ["-r", "@swc-node/register", "bench/bare-servers.ts", file], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls = JSON.parse(await firstLine(child)) as { apollo: string; yoga: string };
  return { ...urls, pid: child.pid!, stop: () => stopChild(child) };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolveLine, reject) => {
    createInterface({ input: child.stdout! }).once("line", resolveLine);
    child.once("exit", (code) => reject(new Error(`process exited (${code}) before it was ready`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));
  child.kill("SIGTERM");
  return exited;
}

/** The ADMIN_EMAIL admin's token: modules start once the database connects, which may be after "ready". */
async function signIn(gql: ReturnType<typeof graphqlClient>): Promise<string> {
  for (let tries = 0; ; tries++) {
    const response = await gql(LoginDocument, { input: ADMIN });
    if (response.data) return response.data.login.accessToken;
    if (tries === 50) ok(response);
    await sleep(200);
  }
}

/** Courses, chapters, enrolments, completions, a quiz and attempts, written through the API as users would. */
async function seed(api: Instance): Promise<{ token: string; quizId: string }> {
  const gql = graphqlClient(api.graphqlUrl);
  const admin = await signIn(gql);
  const register = async (name: string) =>
    ok(await gql(RegisterDocument, { input: { name, email: `${name.toLowerCase().replace(/\s/g, "-")}@example.com`, password: "bench password 1" } })).register;
  const instructor = await register("Bench Instructor");
  ok(await gql(SetUserRoleDocument, { userId: instructor.user.id, role: "INSTRUCTOR" }, { token: admin }));
  const learner = await register("Bench Learner");

  const makeCourse = async (token: string, n: number, isPublic: boolean) => {
    const course = ok(
      await gql(
        CreateCourseDocument,
        { input: { title: `Course ${n}: learning how to learn`, description: `What course ${n} covers, in a sentence or two.`, level: "BEGINNER", tags: ["memory", `c${n}`] } },
        { token },
      ),
    ).createCourse;
    const chapterIds: string[] = [];
    for (let c = 1; c <= CHAPTERS_PER_COURSE; c++) {
      const input = { courseId: course.id, title: `Chapter ${c}`, content: chapterMarkdown(n, c), durationMinutes: 10 + c };
      chapterIds.push(ok(await gql(AddChapterDocument, { input }, { token })).addChapter.id);
    }
    if (isPublic) ok(await gql(PublishCourseDocument, { id: course.id, isPublic: true }, { token }));
    return { id: course.id, chapterIds };
  };

  const publicCourses = [];
  for (let n = 1; n <= PUBLIC_COURSES; n++) publicCourses.push(await makeCourse(instructor.accessToken, n, true));
  for (let n = 1; n <= OWN_COURSES; n++) await makeCourse(learner.accessToken, PUBLIC_COURSES + n, false);
  for (const course of publicCourses.slice(0, ENROLLED)) {
    ok(await gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
    for (const chapterId of course.chapterIds.slice(0, 2)) ok(await gql(CompleteChapterDocument, { chapterId }, { token: learner.accessToken }));
  }

  const quiz = ok(
    await gql(CreateQuizDocument, { input: { title: "Spacing and retrieval", chapterId: publicCourses[0].chapterIds[0], questions: QUESTIONS } }, { token: instructor.accessToken }),
  ).createQuiz;
  for (let attempt = 0; attempt < 3; attempt++) {
    const answers = quiz.questions.map((question, i) => ({ questionId: question.id, selectedOptions: [i < 4 + attempt * 2 ? 0 : 1] }));
    ok(await gql(SubmitQuizAttemptDocument, { quizId: quiz.id, answers }, { token: learner.accessToken }));
  }
  return { token: learner.accessToken, quizId: quiz.id };
}

async function load(url: string, page: Page, token: string, seconds: number): Promise<Run> {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: page.body,
  });
  return {
    requestsPerSecond: Math.round(result.requests.total / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

async function answer(url: string, page: Page, token: string): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body: page.body });
  const json = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (json.errors || !json.data) throw new Error(`${page.name}: ${JSON.stringify(json.errors)}`);
  return json.data[page.root];
}

export const METRICS_TOKEN = "bench-metrics-token";

/** Database round trips the API has made so far (`db_round_trip_seconds`, always on). */
export async function roundTrips(api: Instance): Promise<number> {
  const response = await fetch(new URL("/metrics", api.graphqlUrl), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await response.text()).split("\n").find((row) => row.startsWith("db_round_trip_seconds_count"));
  if (!line) throw new Error("bench: /metrics has no db_round_trip_seconds_count");
  return Number(line.split(" ").pop());
}

/**
 * CPU milliseconds one database round trip costs a client of the driver: a loader-shaped
 * `find({ _id: { $in } })` of one small document, 16 at a time, measured in this process.
 */
async function driverRoundTrip(uri: string): Promise<number> {
  const client = await MongoClient.connect(uri, { maxPoolSize: CONNECTIONS });
  try {
    const collection = client.db("bench_round_trip").collection("users");
    const { insertedId } = await collection.insertOne({ name: "Bench Owner", email: "owner@example.com" });
    const trips = async (count: number) => {
      const one = () => collection.find({ _id: { $in: [insertedId] } }, { projection: { name: 1 } }).toArray();
      const stream = async () => {
        for (let i = 0; i < count / CONNECTIONS; i++) await one();
      };
      await Promise.all(Array.from({ length: CONNECTIONS }, stream));
    };
    await trips(2_000);
    const before = process.cpuUsage();
    await trips(4_000);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / 4_000;
  } finally {
    await client.close();
  }
}

const ratio = (a: number, b: number) => (a / b).toFixed(2);

/**
 * `npm run bench` section "graphql read path": three pages of a signed-in learner, each measured
 * with 16 connections against the API (production mode, the database in its own process) and
 * against bare Apollo Server 5 and GraphQL Yoga answering the API's very response from memory.
 */
export async function benchReadPath(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-read-path-"));
  const db = await startDatabase();
  let api: Instance | undefined;
  let yardsticks: Awaited<ReturnType<typeof startYardsticks>> | undefined;
  try {
    api = await startInstance(
      {
        NODE_ENV: "production",
        MONGODB_URL: db.uri,
        DATABASE_NAME: "bench_read_path",
        JWT_SECRET_KEY: "bench-secret-".repeat(6),
        BCRYPT_COST: "4",
        RATE_LIMIT_REQUESTS: "0",
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        LOG_LEVEL: "info",
        METRICS_TOKEN: METRICS_TOKEN,
      },
      // The young generation the Dockerfile gives the API; BENCH_CPU_PROF=dir writes its CPU profile there when it stops.
      { nodeArgs: ["--max-semi-space-size=64", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])] },
    );
    const { token, quizId } = await seed(api);
    const pages: Page[] = [
      { name: "nested course list", root: "courses", body: JSON.stringify({ query: NESTED_LIST }) },
      { name: "dashboard", root: "dashboard", body: JSON.stringify({ query: print(DashboardDocument) }) },
      { name: "quiz page", root: "quiz", body: JSON.stringify({ query: QUIZ_PAGE, variables: { id: quizId } }) },
      // What every signed-in request costs before any page: HTTP, the session, Apollo, one cached read.
      { name: "fixed cost (me { id name })", root: "me", body: JSON.stringify({ query: "query Me { me { id name } }" }) },
    ].filter((page) => !ONLY || ONLY.includes(page.root));
    const recorded: Record<string, unknown> = {};
    for (const page of pages) recorded[page.root] = await answer(api.graphqlUrl, page, token);
    yardsticks = await startYardsticks(recorded, dir);
    const tripMs = await driverRoundTrip(db.uri);
    const lines = [
      `graphql read path (${CONNECTIONS} connections, ${SECONDS} s each; API in production mode, database in its own process;`,
      `  ${PUBLIC_COURSES + OWN_COURSES} courses of ${CHAPTERS_PER_COURSE} chapters of ~3 KB; the learner owns ${OWN_COURSES} and is enrolled in ${ENROLLED})`,
    ];
    for (const page of pages) {
      const servers = { api: api.graphqlUrl, apollo: yardsticks.apollo, yoga: yardsticks.yoga };
      for (const url of Object.values(servers)) {
        if (JSON.stringify(await answer(url, page, token)) !== JSON.stringify(recorded[page.root])) throw new Error(`${page.name}: ${url} answers differently`);
        await load(url, page, token, WARMUP_SECONDS);
      }
      const apiCpu = cpuSeconds(api.pid);
      const dbCpu = cpuSeconds(db.pid);
      const trips = await roundTrips(api);
      const project = await load(servers.api, page, token, SECONDS);
      const tripsPerRequest = ((await roundTrips(api)) - trips) / project.requests;
      const apiMs = ((cpuSeconds(api.pid) - apiCpu) * 1000) / project.requests;
      const dbMs = ((cpuSeconds(db.pid) - dbCpu) * 1000) / project.requests;
      const apolloCpu = cpuSeconds(yardsticks.pid);
      const apollo = await load(servers.apollo, page, token, SECONDS);
      const apolloMs = ((cpuSeconds(yardsticks.pid) - apolloCpu) * 1000) / apollo.requests;
      // What the API could reach if it did bare Apollo's work plus its round trips, and nothing else.
      const ceiling = apolloMs / (apolloMs + tripsPerRequest * tripMs);
      const yoga = await load(servers.yoga, page, token, SECONDS);
      const row = (name: string, run: Run) =>
        `  ${name.padEnd(12)} ${String(run.requestsPerSecond).padStart(6)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms${run.failures ? `  FAILED ${run.failures}` : ""}`;
      lines.push(
        `  ${page.name} (${Buffer.byteLength(JSON.stringify(recorded[page.root]))} bytes of data)`,
        row("API", project),
        row("bare Apollo", apollo),
        row("Yoga", yoga),
        `    API/bare Apollo ${ratio(project.requestsPerSecond, apollo.requestsPerSecond)}   API/Yoga ${ratio(project.requestsPerSecond, yoga.requestsPerSecond)}` +
          (page.root === "courses" ? "   (target >= 0.6, at least 0.45)" : ""),
        `    CPU per request: API ${apiMs.toFixed(2)} ms${page.root === "courses" ? " (target <= 6)" : ""}, database ${dbMs.toFixed(2)} ms, bare Apollo ${apolloMs.toFixed(2)} ms`,
        `    database round trips per request: ${tripsPerRequest.toFixed(1)}, at ${tripMs.toFixed(2)} ms of driver CPU each:` +
          ` bare Apollo's work plus these trips alone would be a ratio of ${ceiling.toFixed(2)}`,
      );
    }
    return lines;
  } finally {
    await yardsticks?.stop();
    await api?.stop();
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

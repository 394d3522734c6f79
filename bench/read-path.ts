import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
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
  UncompleteChapterDocument,
  type QuestionInput,
} from "../test/generated/graphql";
import { startInstance, type Instance } from "../test/helpers/instance";
import { graphqlClient, type GraphQLResponse } from "../test/helpers/graphql";

const ROOT = resolve(__dirname, "..");
/** BENCH_READ_SECONDS measures longer (or shorter) per server, page and round. */
const SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 2);
/** The realistic mix's turns are longer: a session of 32 requests must run through many times. */
const MIX_SECONDS = Number(process.env.BENCH_READ_MIX_SECONDS ?? 8);
const WARMUP_SECONDS = 2;
const CONNECTIONS = 16;
const CHAPTERS_PER_COURSE = 5;
const PUBLIC_COURSES = 30;
const ENROLLED = 15;
const OWN_COURSES = 5;
/** BENCH_READ_PAGES=courses,quiz measures only those pages (by root field). */
const ONLY = process.env.BENCH_READ_PAGES?.split(",").map((root) => root.trim());
/** Only the servers whose names contain one of these (e.g. `cache off,summaries`): for profiling two side by side. */
const ONLY_SERVERS = process.env.BENCH_READ_SERVERS?.split(",").map((name) => name.trim());
/** BENCH_READ_MIX_ONLY=attempt: every request of the mix's sessions of that kind, to see what one kind costs (see `mixOf`). */
const MIX_ONLY = process.env.BENCH_READ_MIX_ONLY;
/**
 * BENCH_API_NODE_ARGS: more of node's flags for the API's instances, e.g. the Dockerfile's
 * `--experimental-async-context-frame` when the bench runs on Node 22 (which Node 20 does not know).
 */
const API_NODE_ARGS = (process.env.BENCH_API_NODE_ARGS ?? "").split(" ").filter(Boolean);
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
  /** Non-2xx answers, connection errors, timeouts, and answers with GraphQL errors. */
  failures: number;
}

/** Answers with errors seen by `onResponse` since the last `runOf`: a page that errors would measure nothing. */
let errored = 0;
function countErrors(status: number, body: string): void {
  if (status !== 200 || body.includes('"errors":')) errored += 1;
}

/** CPU seconds (user + system) a process has used, from /proc: nothing is added to the process measured. */
export function cpuSeconds(pid: number): number {
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

/** The database in its own process (`npm run db`), as mongod would be: in memory, or durable with its files in `dataDir`. */
export async function startDatabase(dataDir?: string): Promise<{ uri: string; pid: number; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const storage = dataDir ? ["--dbpath", dataDir] : ["--in-memory"];
  const child = spawn(process.execPath, [...profile, "-r", "@swc-node/register", "src/embedded-mongo/cli.ts", "--port", "0", ...storage], {
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

/** What the seed made that the pages and the mix ask for. */
interface Seeded {
  /** One learner per connection; the first is the one every page is measured as. */
  learners: { token: string; chapterId: string }[];
  quizId: string;
  quizQuestionIds: string[];
  courseId: string;
}

/** Courses, chapters, enrolments, completions, a quiz and attempts, written through the API as users would. */
async function seed(api: Instance): Promise<Seeded> {
  const gql = graphqlClient(api.graphqlUrl);
  const admin = await signIn(gql);
  const register = async (name: string) =>
    ok(await gql(RegisterDocument, { input: { name, email: `${name.toLowerCase().replace(/\s/g, "-")}@example.com`, password: "bench password 1" } })).register;
  const instructor = await register("Bench Instructor");
  ok(await gql(SetUserRoleDocument, { userId: instructor.user.id, role: "INSTRUCTOR" }, { token: admin }));

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
  const quiz = ok(
    await gql(CreateQuizDocument, { input: { title: "Spacing and retrieval", chapterId: publicCourses[0].chapterIds[0], questions: QUESTIONS } }, { token: instructor.accessToken }),
  ).createQuiz;
  const learners: Seeded["learners"] = [];
  for (let l = 0; l < CONNECTIONS; l++) {
    const learner = await register(`Bench Learner ${l + 1}`);
    // The first learner is the one the pages are measured as: they own private courses too.
    if (l === 0) for (let n = 1; n <= OWN_COURSES; n++) await makeCourse(learner.accessToken, PUBLIC_COURSES + n, false);
    for (const course of publicCourses.slice(0, ENROLLED)) {
      ok(await gql(EnrollDocument, { courseId: course.id }, { token: learner.accessToken }));
      for (const chapterId of course.chapterIds.slice(0, 2)) ok(await gql(CompleteChapterDocument, { chapterId }, { token: learner.accessToken }));
    }
    for (let attempt = 0; attempt < (l === 0 ? 3 : 1); attempt++) {
      const answers = quiz.questions.map((question, i) => ({ questionId: question.id, selectedOptions: [i < 4 + attempt * 2 ? 0 : 1] }));
      ok(await gql(SubmitQuizAttemptDocument, { quizId: quiz.id, answers }, { token: learner.accessToken }));
    }
    learners.push({ token: learner.accessToken, chapterId: publicCourses[0].chapterIds[3] });
  }
  return { learners, quizId: quiz.id, quizQuestionIds: quiz.questions.map((question) => question.id), courseId: publicCourses[0].id };
}

async function load(url: string, page: Page, token: string, seconds: number): Promise<Run> {
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: page.body,
    requests: [{ onResponse: countErrors }],
  });
  return runOf(result, seconds);
}

/** Numbers the requests of `loadMisses` across all its runs: one counting from 0 each run would ask what an earlier run had kept. */
let missSerial = 0;

/**
 * Like `load`, but every request differs in an unused variable, so the response cache never has
 * the answer: what a miss costs with the cache on (recording reads, keeping the answer). The
 * variable is a text: a number would have the query priced anew on every request
 * (`server/security/cost-cache.ts` keeps prices by the numbers sent), which no real miss does.
 */
async function loadMisses(url: string, page: Page, token: string, seconds: number): Promise<Run> {
  const base = JSON.parse(page.body) as { query: string; variables?: Record<string, unknown> };
  const result = await autocannon({
    url,
    method: "POST",
    connections: CONNECTIONS,
    duration: seconds,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    requests: [
      { setupRequest: (request) => ({ ...request, body: JSON.stringify({ ...base, variables: { ...base.variables, benchMiss: `miss ${missSerial++}` } }) }), onResponse: countErrors },
    ],
  });
  return runOf(result, seconds);
}

/** What a timed autocannon run measured. */
function runOf(result: autocannon.Result, seconds: number): Run {
  const answeredWithErrors = errored;
  errored = 0;
  return {
    requestsPerSecond: Math.round(result.requests.total / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    failures: Math.max(result.non2xx, answeredWithErrors) + result.errors + result.timeouts,
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
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/**
 * BENCH_READ_ROUNDS rounds per page, each server once per round in an order rotating by round;
 * ratios are taken within a round (the two servers measured seconds apart, under the same load
 * from the rest of the machine), and their median is printed. The mix: BENCH_READ_MIX_ROUNDS.
 */
const ROUNDS = Number(process.env.BENCH_READ_ROUNDS ?? 9);
const MIX_ROUNDS = Number(process.env.BENCH_READ_MIX_ROUNDS ?? 3);
const JWT_SECRET = "bench-secret-".repeat(6);
const DATABASE = "bench_read_path";

/** The catalog as a visitor browses it: no chapters, no progress. */
const CATALOG = `query Catalog {
  courses(filter: { owner: PUBLIC }, limit: 20) {
    total
    items { id title description level tags owner { id name } chapterCount totalDurationMinutes }
  }
}`;

/** One course as its page shows it: the chapters' text and the learner's progress. */
const COURSE_PAGE = `query CoursePage($id: ID!) {
  course(id: $id) {
    id title description outline level tags owner { id name } chapterCount totalDurationMinutes
    chapters { id title content order durationMinutes }
    myProgress { percent completedChapters completedChapterIds }
  }
}`;

/** A server measured by the bench: its process's CPU is read from /proc. */
interface Measured {
  name: string;
  url: string;
  pid: number;
  /** Every request a miss of the response cache (`loadMisses`). */
  misses?: boolean;
}

/** A peer in its own process (bench/peers/), on the API's database; prints its URLs as JSON. */
async function startPeer(file: string, uri: string): Promise<{ urls: Record<string, string>; pid: number; stop(): Promise<void> }> {
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = spawn(process.execPath, ["--max-semi-space-size=64", ...profile, "-r", "@swc-node/register", file, uri, DATABASE, JWT_SECRET], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const urls = JSON.parse(await firstLine(child)) as Record<string, string>;
  return { urls, pid: child.pid!, stop: () => stopChild(child) };
}

async function startApi(uri: string, cache: boolean): Promise<Instance> {
  return startInstance(
    {
      NODE_ENV: "production",
      MONGODB_URL: uri,
      DATABASE_NAME: DATABASE,
      JWT_SECRET_KEY: JWT_SECRET,
      BCRYPT_COST: "4",
      RATE_LIMIT_REQUESTS: "0",
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: "info",
      METRICS_TOKEN: METRICS_TOKEN,
      RESPONSE_CACHE: String(cache),
    },
    // The young generation the Dockerfile gives the API; BENCH_CPU_PROF=dir writes its CPU profile there when it stops.
    { nodeArgs: ["--max-semi-space-size=64", ...API_NODE_ARGS, ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])] },
  );
}

/** `graphql_response_cache_total` by outcome, from /metrics. */
async function cacheCounts(api: Instance): Promise<Record<string, number>> {
  const response = await fetch(new URL("/metrics", api.graphqlUrl), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const counts: Record<string, number> = {};
  for (const row of (await response.text()).split("\n")) {
    const match = /^graphql_response_cache_total\{outcome="(\w+)"\} (\d+)/.exec(row);
    if (match) counts[match[1]] = Number(match[2]);
  }
  return counts;
}

/** One measured run: its figures and the CPU milliseconds per request of the server's process. */
async function measure(server: Measured, run: () => Promise<Run>): Promise<{ run: Run; cpuMs: number }> {
  const before = cpuSeconds(server.pid);
  const result = await run();
  return { run: result, cpuMs: ((cpuSeconds(server.pid) - before) * 1000) / result.requests };
}

type MixRequest = { method: "POST"; headers: Record<string, string>; body: string; onResponse: typeof countErrors };

/** A learner's session of the realistic mix: browsing, writing progress, taking a quiz. */
function mixOf(learner: Seeded["learners"][number], seeded: Seeded): MixRequest[] {
  const headers = { "content-type": "application/json", authorization: `Bearer ${learner.token}` };
  const request = (query: string, variables?: Record<string, unknown>): MixRequest => ({ method: "POST", headers, body: JSON.stringify({ query, variables }), onResponse: countErrors });
  const answers = seeded.quizQuestionIds.map((questionId, i) => ({ questionId, selectedOptions: [i % 3 === 0 ? 1 : 0] }));
  const catalog = request(CATALOG);
  const mine = request(NESTED_LIST);
  const coursePage = request(COURSE_PAGE, { id: seeded.courseId });
  const dashboard = request(print(DashboardDocument));
  const quizPage = request(QUIZ_PAGE, { id: seeded.quizId });
  const complete = request(print(CompleteChapterDocument), { chapterId: learner.chapterId });
  const uncomplete = request(print(UncompleteChapterDocument), { chapterId: learner.chapterId });
  const attempt = request(print(SubmitQuizAttemptDocument), { quizId: seeded.quizId, answers });
  if (MIX_ONLY) {
    const kinds: Record<string, MixRequest> = { catalog, mine, coursePage, dashboard, quizPage, complete, uncomplete, attempt };
    if (!kinds[MIX_ONLY]) throw new Error(`BENCH_READ_MIX_ONLY: one of ${Object.keys(kinds).join(", ")}`);
    return Array.from({ length: MIX_LENGTH }, () => kinds[MIX_ONLY]);
  }
  // 32 requests, 3 of them writes: browsing the catalog and their courses, reading a course,
  // completing a chapter, taking a quiz, looking at the dashboard; then undoing the completion,
  // so that every session writes for real.
  return [
    catalog, mine, coursePage, coursePage, mine, dashboard, catalog, coursePage,
    complete, coursePage, mine, dashboard, catalog, quizPage, quizPage, attempt,
    dashboard, mine, catalog, coursePage, mine, catalog, coursePage, dashboard,
    mine, catalog, coursePage, uncomplete, mine, catalog, coursePage, dashboard,
  ];
}

const MIX_LENGTH = 32;
const MIX_WRITES = 3;

async function loadMix(url: string, seeded: Seeded, seconds: number): Promise<Run> {
  let next = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    // Each connection is one learner going through their session, again and again.
    setupClient: (client: { setRequests(requests: MixRequest[]): void }) => client.setRequests(mixOf(seeded.learners[next++ % seeded.learners.length], seeded)),
  } as autocannon.Options);
  return runOf(result, seconds);
}

/**
 * `npm run bench` section "graphql read path": pages of a signed-in learner, each measured with
 * 16 connections (production mode, the database in its own process) against the API with the
 * response cache off and on, and, for the nested list, against its peers on the same data: the
 * floor of the stack (bench/peers/floor.ts, with loaders and with the courses' summaries) and
 * the by-the-book build (bench/peers/by-the-book.ts); for the dashboard, against the floor's
 * dashboard (bench/peers/floor.ts, the same 8 round trips); bare Apollo answers the API's very response
 * from memory. Every server's answer is checked byte-identical to the API's first. Then a
 * realistic mix of 16 learners, cache off and on, with the cache's hit rate.
 */
export async function benchReadPath(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-read-path-"));
  const db = await startDatabase();
  const stops: (() => Promise<void>)[] = [];
  try {
    // Seeded through an instance of its own, so that the two measured ones start alike (fresh, warmed up the same way).
    const seeder = await startApi(db.uri, false);
    const seeded = await seed(seeder).finally(() => seeder.stop());
    const api = await startApi(db.uri, false);
    stops.push(() => api.stop());
    await signIn(graphqlClient(api.graphqlUrl));
    const cached = await startApi(db.uri, true);
    stops.push(() => cached.stop());
    await signIn(graphqlClient(cached.graphqlUrl));
    const floor = await startPeer("bench/peers/floor.ts", db.uri);
    stops.push(floor.stop);
    const book = await startPeer("bench/peers/by-the-book.ts", db.uri);
    stops.push(book.stop);
    const token = seeded.learners[0].token;
    const pages: Page[] = [
      { name: "nested course list", root: "courses", body: JSON.stringify({ query: NESTED_LIST }) },
      { name: "dashboard", root: "dashboard", body: JSON.stringify({ query: print(DashboardDocument) }) },
      { name: "quiz page", root: "quiz", body: JSON.stringify({ query: QUIZ_PAGE, variables: { id: seeded.quizId } }) },
      // What every signed-in request costs before any page: HTTP, the session, Apollo, one cached read.
      { name: "fixed cost (me { id name })", root: "me", body: JSON.stringify({ query: "query Me { me { id name } }" }) },
    ].filter((page) => !ONLY || ONLY.includes(page.root));
    const recorded: Record<string, unknown> = {};
    for (const page of pages) recorded[page.root] = await answer(api.graphqlUrl, page, token);
    const yardsticks = await startYardsticks(recorded, dir);
    stops.push(yardsticks.stop);
    const tripMs = await driverRoundTrip(db.uri);
    if (process.env.BENCH_CPU_PROF) {
      const pids = { database: db.pid, "API cache off": api.pid, "API cache on": cached.pid, floor: floor.pid, "by the book": book.pid };
      process.stderr.write(`read-path: CPU profiles in ${process.env.BENCH_CPU_PROF} by process id: ${JSON.stringify(pids)}\n`);
    }
    const lines = [
      `graphql read path (${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} rounds in rotating order, medians; production mode, database in its own process;`,
      `  ${PUBLIC_COURSES + OWN_COURSES} courses of ${CHAPTERS_PER_COURSE} chapters of ~3 KB; the learner owns ${OWN_COURSES} and is enrolled in ${ENROLLED})`,
      `  driver CPU per database round trip: ${tripMs.toFixed(2)} ms; machine load at start ${loadavg().map((load) => load.toFixed(2)).join(" ")}`,
      `  node ${process.version}${API_NODE_ARGS.length > 0 ? ` with ${API_NODE_ARGS.join(" ")}` : ""} (before Node 24, without --experimental-async-context-frame, the response cache's AsyncLocalStorage puts a hook on every promise of the cache-on API)`,
    ];
    for (const page of pages) {
      const servers: Measured[] = [
        { name: "API, cache off", url: api.graphqlUrl, pid: api.pid },
        { name: "API, cache on", url: cached.graphqlUrl, pid: cached.pid },
        { name: "API, on, all misses", url: cached.graphqlUrl, pid: cached.pid, misses: true },
        ...(page.root === "courses"
          ? [
              { name: "floor (loaders)", url: floor.urls.loaders, pid: floor.pid },
              { name: "floor (summaries)", url: floor.urls.summaries, pid: floor.pid },
              { name: "by the book", url: book.urls.url, pid: book.pid },
            ]
          : page.root === "dashboard"
            ? [{ name: "floor", url: floor.urls.dashboard, pid: floor.pid }]
            : []),
        { name: "bare Apollo", url: yardsticks.apollo, pid: yardsticks.pid },
      ].filter((server) => !ONLY_SERVERS || ONLY_SERVERS.some((name) => server.name.includes(name)));
      for (const server of servers) {
        if (JSON.stringify(await answer(server.url, page, token)) !== JSON.stringify(recorded[page.root])) throw new Error(`${page.name}: ${server.name} answers differently`);
        await load(server.url, page, token, WARMUP_SECONDS);
      }
      // Ratios of the API (cache off) to a peer, per round: the target comparisons.
      const paired: [string, string][] =
        page.root === "courses"
          ? [["API, cache off", "floor (summaries)"], ["API, cache off", "floor (loaders)"], ["API, cache off", "by the book"]]
          : page.root === "dashboard"
            ? [["API, cache off", "floor"]]
            : [];
      const pairedRatios = new Map<string, number[]>(paired.map(([a, b]) => [`${a}/${b}`, []]));
      const measured = (name: string) => servers.some((server) => server.name === name);
      const results = new Map<string, { rps: number[]; cpu: number[]; dbCpu: number[]; p50: number[]; trips: number[]; failures: number }>();
      for (let round = 0; round < ROUNDS; round++) {
        const cpuThisRound = new Map<string, number>();
        for (const server of servers.map((_, i) => servers[(i + round) % servers.length])) {
          const instance = server.pid === api.pid ? api : server.pid === cached.pid ? cached : undefined;
          const trips = instance ? await roundTrips(instance) : 0;
          const dbBefore = cpuSeconds(db.pid);
          const { run, cpuMs } = await measure(server, () => (server.misses ? loadMisses : load)(server.url, page, token, SECONDS));
          const result = results.get(server.name) ?? { rps: [], cpu: [], dbCpu: [], p50: [], trips: [], failures: 0 };
          result.rps.push(run.requestsPerSecond);
          result.cpu.push(cpuMs);
          result.dbCpu.push(((cpuSeconds(db.pid) - dbBefore) * 1000) / run.requests);
          result.p50.push(run.p50);
          if (instance) result.trips.push(((await roundTrips(instance)) - trips) / run.requests);
          result.failures += run.failures;
          results.set(server.name, result);
          cpuThisRound.set(server.name, cpuMs);
        }
        for (const [a, b] of paired) if (measured(a) && measured(b)) pairedRatios.get(`${a}/${b}`)!.push(cpuThisRound.get(a)! / cpuThisRound.get(b)!);
      }
      const pairedRatio = (a: string, b: string) => (measured(a) && measured(b) ? median(pairedRatios.get(`${a}/${b}`)!).toFixed(2) : "not measured");
      const cpuOf = (name: string) => (measured(name) ? median(results.get(name)!.cpu) : Number.NaN);
      lines.push(`  ${page.name} (${Buffer.byteLength(JSON.stringify(recorded[page.root]))} bytes of data)`);
      for (const server of servers) {
        const result = results.get(server.name)!;
        const trips = result.trips.length > 0 ? `  ${median(result.trips).toFixed(1)} round trips` : "";
        lines.push(
          `    ${server.name.padEnd(20)} ${String(median(result.rps)).padStart(6)} req/s  p50 ${median(result.p50)} ms  CPU ${median(result.cpu).toFixed(2)} ms/req` +
            `  (x${ratio(median(result.cpu), cpuOf("API, cache off"))} of cache off)  database CPU ${median(result.dbCpu).toFixed(2)} ms/req${trips}` +
            `${result.failures ? `  FAILED ${result.failures}` : ""}`,
        );
      }
      if (page.root === "dashboard") {
        lines.push(`    API cache off CPU / floor, median of per-round ratios: ${pairedRatio("API, cache off", "floor")} (target <= 1.1)`);
      }
      if (page.root === "courses") {
        lines.push(
          `    API cache off CPU / floor (summaries), median of per-round ratios: ${pairedRatio("API, cache off", "floor (summaries)")} (target <= 1.1);` +
            ` / floor (loaders): ${pairedRatio("API, cache off", "floor (loaders)")}; / by the book: ${pairedRatio("API, cache off", "by the book")}`,
        );
      }
      const failed = [...results].filter(([, result]) => result.failures > 0).map(([name]) => name);
      if (failed.length > 0) throw new Error(`${page.name}: requests failed or answered with errors on ${failed.join(", ")}: the figures measure nothing`);
    }

    // The realistic mix: every learner browsing, writing progress and taking a quiz (none with BENCH_READ_MIX_ROUNDS=0).
    if (MIX_ROUNDS > 0) {
      const mix = { off: [] as number[], on: [] as number[], tripsOff: [] as number[], tripsOn: [] as number[], rpsOff: [] as number[], rpsOn: [] as number[], hitRate: [] as number[], hitShare: [] as number[], ratio: [] as number[], failures: 0 };
      await loadMix(api.graphqlUrl, seeded, WARMUP_SECONDS);
      await loadMix(cached.graphqlUrl, seeded, WARMUP_SECONDS);
      for (let round = 0; round < MIX_ROUNDS; round++) {
        const before = await cacheCounts(cached);
        const [tripsOff, tripsOn] = [await roundTrips(api), await roundTrips(cached)];
        const measureOff = () => measure({ name: "off", url: api.graphqlUrl, pid: api.pid }, () => loadMix(api.graphqlUrl, seeded, MIX_SECONDS));
        const measureOn = () => measure({ name: "on", url: cached.graphqlUrl, pid: cached.pid }, () => loadMix(cached.graphqlUrl, seeded, MIX_SECONDS));
        // Which goes first alternates by round.
        const [off, on] = round % 2 === 0 ? [await measureOff(), await measureOn()] : await measureOn().then(async (first) => [await measureOff(), first]);
        const after = await cacheCounts(cached);
        const hits = (after.hit ?? 0) - (before.hit ?? 0);
        const misses = (after.miss ?? 0) - (before.miss ?? 0);
        mix.off.push(off.cpuMs);
        mix.on.push(on.cpuMs);
        mix.tripsOff.push(((await roundTrips(api)) - tripsOff) / off.run.requests);
        mix.tripsOn.push(((await roundTrips(cached)) - tripsOn) / on.run.requests);
        mix.ratio.push(on.cpuMs / off.cpuMs);
        mix.rpsOff.push(off.run.requestsPerSecond);
        mix.rpsOn.push(on.run.requestsPerSecond);
        mix.hitRate.push(hits / Math.max(1, hits + misses));
        mix.hitShare.push(hits / on.run.requests);
        mix.failures += off.run.failures + on.run.failures;
      }
      if (mix.failures > 0) throw new Error(`realistic mix: ${mix.failures} requests failed or answered with errors: the figures measure nothing`);
      lines.push(
        `  realistic mix (${CONNECTIONS} learners, one per connection; a session is ${MIX_LENGTH} requests: ${MIX_ONLY ? `${MIX_ONLY} only (BENCH_READ_MIX_ONLY)` : `lists, course page, dashboard, quiz page, and ${MIX_WRITES} writes: complete, attempt, uncomplete`};` +
          ` ${MIX_SECONDS} s per run, ${MIX_ROUNDS} rounds)`,
        `    cache off  ${String(median(mix.rpsOff)).padStart(6)} req/s  CPU ${median(mix.off).toFixed(2)} ms/req  ${median(mix.tripsOff).toFixed(1)} round trips/req`,
        `    cache on   ${String(median(mix.rpsOn)).padStart(6)} req/s  CPU ${median(mix.on).toFixed(2)} ms/req  ${median(mix.tripsOn).toFixed(1)} round trips/req  hits: ${(median(mix.hitRate) * 100).toFixed(0)} % of reads looked up, ${(median(mix.hitShare) * 100).toFixed(0)} % of all requests`,
        `    cache on / off CPU, median of per-round ratios: ${median(mix.ratio).toFixed(2)} (target <= 0.5)`,
      );
    }
    lines.push(`  machine load at end ${loadavg().map((load) => load.toFixed(2)).join(" ")}`);
    return lines;
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mongoose, { Types } from "mongoose";
import { dayNumber } from "../src/modules/study/preferences.model";
import { CardState, NEW_DUE_DAY, ReviewLogModel, ReviewRating, ReviewStateModel, StudiedDeckModel } from "../src/modules/study/review.model";
import { StudyProfileModel } from "../src/modules/study/preferences.model";
import { CardModel } from "../src/modules/study/card.model";
import { startInstance, type Instance } from "../test/helpers/instance";
import { CreateDeckDocument, ImportCardsDocument, MeDocument, RegisterDocument, ReviewCardDocument, ReviewQueueDocument } from "../test/generated/graphql";
import { graphqlClient, type GraphQLResponse } from "../test/helpers/graphql";
import { uploadRequest } from "../test/helpers/upload";
import { cpuSeconds, METRICS_TOKEN, roundTrips, startDatabase } from "./read-path";
import { wakeLatency } from "./wake-latency";

const DECKS = 5;
const CARDS_PER_DECK = 10_000;
const ROWS_PER_IMPORT = 5_000;
const REVIEW_LOGS = 200_000;
/** Cards never studied yet; the rest have a review schedule spread from 60 days overdue to a year ahead. */
const NEW_CARDS = 5_000;
const RUNS = Number(process.env.BENCH_STUDY_RUNS ?? 300);
/** About how long the database sits idle while the API works on a review. */
const WAKE_IDLE_MS = 3;
/** Untimed requests of each kind first, so the figures are of a warmed-up API (compiled code, filled caches), not of its start. */
const WARM_UP = 30;
const DAY_MS = 86_400_000;

function ok<T>(response: GraphQLResponse<T>): T {
  if (response.errors?.length || !response.data) throw new Error(`bench seed failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Timing {
  p50: string;
  p95: string;
  max: string;
}

function summary(latencies: number[]): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50).toFixed(2), p95: percentile(sorted, 95).toFixed(2), max: sorted[sorted.length - 1].toFixed(2) };
}

async function timed(runs: number, run: (i: number) => Promise<unknown>): Promise<Timing> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await run(i);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return summary(latencies);
}

/** 50,000 cards imported through the API as CSV (5 decks of 10,000). */
async function seedCards(api: Instance): Promise<{ token: string; userId: string }> {
  const gql = graphqlClient(api.graphqlUrl);
  const { register } = ok(await gql(RegisterDocument, { input: { name: "Bench Learner", email: `learner-${randomUUID().slice(0, 8)}@example.com`, password: "bench password 1" } }));
  const token = register.accessToken;
  for (let d = 1; d <= DECKS; d++) {
    const deck = ok(await gql(CreateDeckDocument, { input: { title: `Deck ${d}` } }, { token })).createDeck;
    for (let start = 0; start < CARDS_PER_DECK; start += ROWS_PER_IMPORT) {
      const rows = Array.from({ length: ROWS_PER_IMPORT }, (_, i) => `"What is fact ${d}-${start + i}?","Fact ${d}-${start + i} is the answer",bench deck${d}`);
      const imported = ok(
        await uploadRequest(api.graphqlUrl, ImportCardsDocument, { deckId: deck.id, file: null }, [{ variablePath: "variables.file", filename: "cards.csv", contentType: "text/csv", content: rows.join("\n") }], { token }),
      ).importCards;
      if (imported.imported !== ROWS_PER_IMPORT) throw new Error(`import stored ${imported.imported} cards: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    }
  }
  return { token, userId: register.user.id };
}

/**
 * The learner's history, written straight to the database (200,000 reviews through the API would
 * take the bench longer than the measurement): schedules, review logs and the learner's counts,
 * in the shapes the study module keeps them.
 */
async function seedHistory(uri: string, databaseName: string, userId: Types.ObjectId): Promise<void> {
  // Indexes are the API's to make (a baseline's differ from this checkout's).
  await mongoose.connect(uri, { dbName: databaseName, autoIndex: false, autoCreate: false });
  try {
    const cards = await CardModel.find({ owner_id: userId }, { _id: 1, deck_id: 1, seq: 1 }).sort({ _id: 1 }).lean().exec();
    const now = Date.now();
    const dueDays: Record<string, number> = {};
    const states = cards.map((card, i) => {
      const fresh = i >= cards.length - NEW_CARDS;
      const due = fresh ? new Date(now) : new Date(now + (((i * 7919) % 425) - 60) * DAY_MS + (i % 1000) * 1000);
      if (!fresh) dueDays[dayNumber(due)] = (dueDays[dayNumber(due)] ?? 0) + 1;
      return {
        user_id: userId,
        card_id: card._id,
        deck_id: card.deck_id,
        ord: 0,
        state: fresh ? CardState.NEW : CardState.REVIEW,
        due,
        due_day: fresh ? NEW_DUE_DAY : dayNumber(due),
        stability: fresh ? 0 : 5 + (i % 90),
        difficulty: fresh ? 0 : 3 + (i % 6),
        elapsed_days: 0,
        scheduled_days: fresh ? 0 : 5 + (i % 90),
        learning_steps: 0,
        reps: fresh ? 0 : 4,
        lapses: i % 7 === 0 ? 1 : 0,
        last_review: fresh ? undefined : new Date(due.getTime() - (5 + (i % 90)) * DAY_MS),
        version: fresh ? 0 : 4,
      };
    });
    for (let start = 0; start < states.length; start += 10_000) await ReviewStateModel.collection.insertMany(states.slice(start, start + 10_000));
    const ratings = [ReviewRating.AGAIN, ReviewRating.HARD, ReviewRating.GOOD, ReviewRating.GOOD, ReviewRating.EASY];
    const reviewed = cards.slice(0, cards.length - NEW_CARDS);
    const reviewDays = new Set<number>();
    for (let start = 0; start < REVIEW_LOGS; start += 10_000) {
      const logs = Array.from({ length: Math.min(10_000, REVIEW_LOGS - start) }, (_, k) => {
        const n = start + k;
        const card = reviewed[n % reviewed.length];
        const review = new Date(now - ((n * 2_654_435_761) % (365 * DAY_MS)));
        reviewDays.add(dayNumber(review));
        return {
          user_id: userId,
          card_id: card._id,
          ord: 0,
          deck_id: card.deck_id,
          rating: ratings[n % ratings.length],
          state: n % 4 === 0 ? CardState.LEARNING : CardState.REVIEW,
          due: review,
          stability: 10,
          difficulty: 5,
          elapsed_days: 10,
          last_elapsed_days: 5,
          scheduled_days: 10,
          learning_steps: 0,
          review,
          day: dayNumber(review),
          key: `seed-${n}`,
        };
      });
      await ReviewLogModel.collection.insertMany(logs);
    }
    const decks = [...new Set(cards.map((card) => String(card.deck_id)))];
    await StudiedDeckModel.collection.insertMany(decks.map((deck) => ({ user_id: userId, deck_id: new Types.ObjectId(deck), synced_seq: CARDS_PER_DECK })));
    await StudyProfileModel.collection.insertOne({
      user_id: userId,
      desired_retention: 0.9,
      daily_new_limit: 20,
      mistakes_deck: true,
      due_days: dueDays,
      new_day: 0,
      new_count: 0,
      review_days: [...reviewDays].sort((a, b) => a - b),
    });
    await mongoose.connection.collection("users").updateOne({ _id: userId }, { $set: { studying_since: new Date(now - 365 * DAY_MS) } });
  } finally {
    await mongoose.disconnect();
  }
}

/** One API with its seeded learner: this checkout's, or the baseline's (another checkout) on its own database in the same engine. */
interface Side {
  name: string;
  api: Instance;
  gql: ReturnType<typeof graphqlClient>;
  importSeconds: number;
  dueCount: number;
  /** Due cards to review next, most overdue first. */
  due: string[];
  refills: number;
  queue: number[];
  review: number[];
  queueTrips: number;
  reviewTrips: number;
  /** CPU seconds of the API and of the database while this side's requests were timed. */
  cpu: { queue: Cpu; review: Cpu };
}

interface Cpu {
  api: number;
  db: number;
}

async function startSide(name: string, uri: string, databaseName: string, root?: string): Promise<Side> {
  const api = await startInstance(
    {
      NODE_ENV: "production",
      MONGODB_URL: uri,
      DATABASE_NAME: databaseName,
      JWT_SECRET_KEY: "bench-secret-".repeat(6),
      BCRYPT_COST: "4",
      RATE_LIMIT_REQUESTS: "0",
      AUTH_RATE_LIMIT_REQUESTS: "0",
      LOG_LEVEL: "info",
      METRICS_TOKEN,
    },
    { root, nodeArgs: ["--max-semi-space-size=64", ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])] },
  );
  try {
    const seedStarted = Date.now();
    const { token, userId } = await seedCards(api);
    const importSeconds = (Date.now() - seedStarted) / 1000;
    await seedHistory(uri, databaseName, new Types.ObjectId(userId));
    const gql = graphqlClient(api.graphqlUrl, { token });
    const dueCount = ok(await gql(ReviewQueueDocument, { limit: 20 })).reviewQueue.dueCount;
    return { name, api, gql, importSeconds, dueCount, due: [], refills: 0, queue: [], review: [], queueTrips: 0, reviewTrips: 0, cpu: { queue: { api: 0, db: 0 }, review: { api: 0, db: 0 } } };
  } catch (error) {
    await api.stop();
    throw error;
  }
}

/**
 * Times `runs` requests one at a time on each side, the sides taking turns by rounds (first one,
 * then the other), so both meet the same load; adds the CPU the side's API and the database used
 * during its rounds to `cpu` (the database is shared, but only one side's requests run at a time).
 */
async function inTurns(sides: Side[], runs: number, run: (side: Side, i: number) => Promise<unknown>, into: (side: Side) => number[], cpu: (side: Side) => Cpu, dbPid: number): Promise<void> {
  const round = sides.length > 1 ? 20 : runs;
  for (let start = 0, turn = 0; start < runs; start += round, turn++) {
    for (const side of turn % 2 === 0 ? sides : [...sides].reverse()) {
      const [api0, db0] = [cpuSeconds(side.api.pid), cpuSeconds(dbPid)];
      for (let i = start; i < Math.min(runs, start + round); i++) {
        const t0 = process.hrtime.bigint();
        await run(side, i);
        into(side).push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
      cpu(side).api += cpuSeconds(side.api.pid) - api0;
      cpu(side).db += cpuSeconds(dbPid) - db0;
    }
  }
}

/** CPU milliseconds per request: the API's, the database's. */
function perRequest(cpu: Cpu, runs: number): string {
  return `CPU ${((cpu.api * 1000) / runs).toFixed(1)} ms API + ${((cpu.db * 1000) / runs).toFixed(1)} ms database per request`;
}

/**
 * `npm run bench -- study`: a learner with 50,000 cards (5 decks, imported through the API) and
 * 200,000 review log entries; `reviewQueue` and `reviewCard` timed one request at a time through
 * the API (production mode, the database in its own process). `BENCH_STUDY_BASELINE=<dir>` (another
 * checkout of the project, e.g. `git archive <rev> | tar -x -C <dir>` with node_modules linked)
 * runs its API beside this one, each with its own learner and database in the same engine, timed
 * in turns: before and after under the same load.
 * `BENCH_STUDY_DURABLE=1` keeps the database's files (in a temporary directory) instead of memory only.
 */
export async function benchStudy(): Promise<string[]> {
  const baseline = process.env.BENCH_STUDY_BASELINE;
  const dataDir = process.env.BENCH_STUDY_DURABLE === "1" ? mkdtempSync(join(tmpdir(), "bench-study-db-")) : undefined;
  const db = await startDatabase(dataDir);
  const sides: Side[] = [];
  try {
    sides.push(await startSide("this checkout", db.uri, "bench_study"));
    if (baseline) sides.push(await startSide(`baseline (${baseline})`, db.uri, "bench_study_baseline", resolve(baseline)));
    const [main] = sides;

    // The machine is shared and its load varies: the cheapest signed-in request, timed alike, is the yardstick.
    for (let i = 0; i < WARM_UP; i++) ok(await main.gql(MeDocument, {}));
    const me = await timed(RUNS, async () => ok(await main.gql(MeDocument, {})));
    const wake = await wakeLatency(RUNS, WAKE_IDLE_MS);
    for (const side of sides) for (let i = 0; i < WARM_UP; i++) ok(await side.gql(ReviewQueueDocument, { limit: 20 }));
    const tripsBefore = await Promise.all(sides.map((side) => roundTrips(side.api)));
    await inTurns(sides, RUNS, async (side) => ok(await side.gql(ReviewQueueDocument, { limit: 20 })), (side) => side.queue, (side) => side.cpu.queue, db.pid);
    for (const [i, side] of sides.entries()) side.queueTrips = ((await roundTrips(side.api)) - tripsBefore[i]) / RUNS;
    // Each review takes a due card off the front of the queue: review the most overdue ones, as a learner would.
    for (const side of sides) {
      const warmUp = ok(await side.gql(ReviewQueueDocument, { limit: WARM_UP })).reviewQueue.items.map((item) => item.card.id);
      for (const [i, cardId] of warmUp.entries()) ok(await side.gql(ReviewCardDocument, { cardId, rating: i % 10 === 0 ? "AGAIN" : "GOOD", idempotencyKey: `warm-up-${i}` }));
      side.due = ok(await side.gql(ReviewQueueDocument, { limit: 100 })).reviewQueue.items.map((item) => item.card.id);
    }
    const reviewTripsBefore = await Promise.all(sides.map((side) => roundTrips(side.api)));
    await inTurns(
      sides,
      RUNS,
      async (side, i) => {
        if (side.due.length === 0) {
          side.refills += 1;
          side.due.push(...ok(await side.gql(ReviewQueueDocument, { limit: 100 })).reviewQueue.items.map((item) => item.card.id));
        }
        const rating = i % 10 === 0 ? "AGAIN" : "GOOD";
        ok(await side.gql(ReviewCardDocument, { cardId: side.due.shift()!, rating, idempotencyKey: `bench-${i}` }));
      },
      (side) => side.review,
      (side) => side.cpu.review,
      db.pid,
    );
    for (const [i, side] of sides.entries()) side.reviewTrips = ((await roundTrips(side.api)) - reviewTripsBefore[i] - side.refills * side.queueTrips) / RUNS;

    const lines = [
      `study (one learner: ${DECKS * CARDS_PER_DECK} cards in ${DECKS} decks, ${REVIEW_LOGS} review log entries, ${main.dueCount} cards due; API in production mode, database in its own process${dataDir ? ", durable" : ", in memory"}; ${RUNS} requests each, one at a time, after ${WARM_UP} untimed${sides.length > 1 ? ", the two APIs in turns of 20" : ""})`,
      `  import of ${DECKS * CARDS_PER_DECK} cards as ${(DECKS * CARDS_PER_DECK) / ROWS_PER_IMPORT} CSV files of ${ROWS_PER_IMPORT} rows   ${main.importSeconds.toFixed(1)} s`,
      `  me { id name } (yardstick) p50 ${me.p50} ms, p95 ${me.p95} ms   load average ${loadavg()[0].toFixed(1)}`,
      `  a message to another process and back after ${WAKE_IDLE_MS} ms idle (the machine's wake-up; yardstick) p50 ${wake.p50.toFixed(0)} us, p95 ${wake.p95.toFixed(0)} us`,
    ];
    for (const side of sides) {
      const queue = summary(side.queue);
      const review = summary(side.review);
      if (sides.length > 1) lines.push(`  ${side.name}`);
      lines.push(
        `  reviewQueue(limit: 20)   p50 ${queue.p50} ms, p95 ${queue.p95} ms, max ${queue.max} ms   (target p95 <= 20 ms); ${side.queueTrips.toFixed(1)} database round trips each`,
        `  reviewCard               p50 ${review.p50} ms, p95 ${review.p95} ms, max ${review.max} ms   (target p95 <= 15 ms); ${side.reviewTrips.toFixed(1)} database round trips each`,
        `    reviewQueue ${perRequest(side.cpu.queue, RUNS)}; reviewCard ${perRequest(side.cpu.review, RUNS)}`,
      );
    }
    if (sides.length > 1) {
      const [mine, base] = sides.map((side) => ({ queue: summary(side.queue), review: summary(side.review) }));
      const ratio = (a: string, b: string) => (Number(a) / Number(b)).toFixed(2);
      lines.push(
        `  this checkout / baseline: reviewQueue p50 x${ratio(mine.queue.p50, base.queue.p50)}, p95 x${ratio(mine.queue.p95, base.queue.p95)}; reviewCard p50 x${ratio(mine.review.p50, base.review.p50)}, p95 x${ratio(mine.review.p95, base.review.p95)}`,
      );
    }
    return lines;
  } finally {
    for (const side of sides) await side.api.stop();
    await db.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

import "reflect-metadata";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Environment } from "../src/config";
import { STRICT_REFUSAL } from "../src/infra/ai/prompts";
import { createServer } from "../src/server";
import { EvalClient } from "./client";
import {
  citationScores,
  claimQuoteScores,
  firstGoldRank,
  isGoldPassage,
  meanTokenF1,
  quoteScores,
  refusalScores,
  retrievalScores,
  type AnswerOutcome,
  type GoldQuestion,
  type PassageRef,
} from "./scoring";

/**
 * `npm run eval`: ingests the gold documents through the real API (a fresh server with an
 * in-memory embedded database), asks every gold question through `search` and a STRICT tutor
 * session, and prints figures. Never asserts on them.
 *
 * EVAL_RANKINGS   comma-separated search rankings to compare (default `vector,hybrid`)
 * EVAL_EMBEDDINGS comma-separated offline embedding models to compare (OFFLINE_EMBEDDING_MODEL,
 *                 default `hashed-ngrams`)
 * EVAL_SETS       comma-separated question sets (default `gold,heldout`): `gold` is the set the
 *                 thresholds were calibrated on, `heldout` documents nobody tuned on
 * EVAL_OPENAI_BASE_URL, EVAL_OPENAI_MODEL, EVAL_OPENAI_EMBEDDING_MODEL, EVAL_OPENAI_API_KEY
 *                 also run against an OpenAI-compatible server
 * EVAL_QUESTIONS  only the first N questions of each document and kind (a quick run)
 * EVAL_VERBOSE    print each question's outcome
 * EVAL_DUMP       a directory: writes each run's questions with their retrieved passages as JSON
 * EVAL_CHAT_PASSAGES  the passages the tutor reads (the server's CHAT_PASSAGES; default the server's)
 */

interface EvalDocument {
  id: string;
  file: string;
  contentType: string;
}

/** The question sets: each a folder with its documents and `questions.json`. */
export const SETS: Record<string, EvalDocument[]> = {
  gold: [
    { id: "debian-faq", file: "debian-faq.pdf", contentType: "application/pdf" },
    { id: "apt-users-guide", file: "apt-users-guide.txt", contentType: "text/plain" },
  ],
  heldout: [
    { id: "bzip2-manual", file: "bzip2-manual.pdf", contentType: "application/pdf" },
    { id: "sed-manual", file: "sed-manual.txt", contentType: "text/plain" },
  ],
};
const SEARCH_LIMIT = 10;
/** More than every passage of the text document: the eval learns the passages' text from one search. */
const ALL_PASSAGES = 50;
/** Passages dumped per question with EVAL_DUMP: as many as the tutor's retrieval weighs terms over. */
const DUMP_PASSAGES = 10;

interface Hit extends PassageRef {
  chunkIndex: number;
  text: string;
  heading?: string;
  score?: number;
  rankings?: string[];
  toc?: boolean;
}

interface Message {
  status: string;
  content: string;
  grounding?: string | null;
  groundingScore?: number | null;
  citations: MessageCitation[];
  claims?: { text: string; citations: MessageCitation[] }[];
}

interface MessageCitation {
  pageStart: number | null;
  pageEnd: number | null;
  chunkIndex: number;
  quote: string;
}

export interface RunFigures {
  label: string;
  lines: [string, string][];
}

export interface EvalOptions {
  ranking: string;
  /** The offline provider's embedding model (OFFLINE_EMBEDDING_MODEL); unset: the server's default. */
  embedding?: string;
  /** A key of SETS (default `gold`). */
  set?: string;
  provider: "offline" | "openai";
  questions?: number;
  log?: (line: string) => void;
}

function setQuestions(set: string, limit?: number): GoldQuestion[] {
  const all = JSON.parse(readFileSync(join(__dirname, set, "questions.json"), "utf8")) as GoldQuestion[];
  if (!limit) return all;
  const taken = new Map<string, number>();
  return all.filter((question) => {
    const key = `${question.document}/${question.answerable}`;
    taken.set(key, (taken.get(key) ?? 0) + 1);
    return taken.get(key)! <= limit;
  });
}

function serverEnvironment(options: EvalOptions, dataDir: string): Environment {
  const base: Environment = {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    DATA_DIR: dataDir,
    DATABASE_IN_MEMORY: "true",
    LOG_LEVEL: process.env.EVAL_LOG_LEVEL ?? "silent",
    BCRYPT_COST: "4",
    CHAT_MESSAGES_PER_MINUTE: "100000",
    CHAT_MAX_CONCURRENT: "100",
    SEARCH_RANKING: options.ranking,
    ...(process.env.EVAL_CHAT_PASSAGES && { CHAT_PASSAGES: process.env.EVAL_CHAT_PASSAGES }),
  };
  if (options.provider === "offline") return { ...base, AI_PROVIDER: "offline", ...(options.embedding && { OFFLINE_EMBEDDING_MODEL: options.embedding }) };
  return {
    ...base,
    AI_PROVIDER: "openai",
    OPENAI_BASE_URL: process.env.EVAL_OPENAI_BASE_URL,
    ...(process.env.EVAL_OPENAI_MODEL && { OPENAI_MODEL: process.env.EVAL_OPENAI_MODEL }),
    ...(process.env.EVAL_OPENAI_EMBEDDING_MODEL && { OPENAI_EMBEDDING_MODEL: process.env.EVAL_OPENAI_EMBEDDING_MODEL }),
    ...(process.env.EVAL_OPENAI_API_KEY && { OPENAI_API_KEY: process.env.EVAL_OPENAI_API_KEY }),
  };
}

const HIT_FIELDS = "pageStart pageEnd chunkIndex text";
const DUMP_FIELDS = `${HIT_FIELDS} heading score rankings toc`;

async function search(client: EvalClient, query: string, uploadId: string, limit: number, fields = HIT_FIELDS): Promise<Hit[]> {
  const { search } = await client.request<{ search: Hit[] }>(
    `query($query: String!, $uploadId: ID, $limit: Int!) { search(query: $query, uploadId: $uploadId, limit: $limit) { ${fields} } }`,
    { query, uploadId, limit },
  );
  return search;
}

/** Asks one question in a new STRICT session over the document and waits for the finished answer. */
async function ask(client: EvalClient, uploadId: string, question: string): Promise<Message> {
  const { createChatSession } = await client.request<{ createChatSession: { id: string } }>(
    "mutation($input: CreateChatSessionInput!) { createChatSession(input: $input) { id } }",
    { input: { mode: "STRICT", uploadIds: [uploadId], title: "eval" } },
  );
  await client.request("mutation($id: ID!, $content: String!) { sendChatMessage(sessionId: $id, content: $content) { assistantMessage { id } } }", {
    id: createChatSession.id,
    content: question,
  });
  const fields = await messageFields(client);
  for (;;) {
    const { chatSession } = await client.request<{ chatSession: { messages: { items: Message[] } } }>(
      `query($id: ID!) { chatSession(id: $id) { messages(skip: 0, limit: 1) { items { ${fields} } } } }`,
      { id: createChatSession.id },
    );
    const [answer] = chatSession.messages.items;
    if (answer && answer.status !== "STREAMING") return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let knownFields: string | undefined;
const CITATION_FIELDS = "citations { pageStart pageEnd chunkIndex quote }";
/** `grounding` and `claims` where the server has them, so the same eval measures a server from before them. */
async function messageFields(client: EvalClient): Promise<string> {
  if (knownFields) return knownFields;
  const { __type } = await client.request<{ __type: { fields: { name: string }[] } }>('{ __type(name: "ChatMessage") { fields { name } } }');
  const has = (name: string) => __type.fields.some((field) => field.name === name);
  const grounding = has("grounding") ? " grounding groundingScore" : "";
  const claims = has("claims") ? ` claims { text ${CITATION_FIELDS} }` : "";
  return (knownFields = `status content${grounding} ${CITATION_FIELDS}${claims}`);
}

export async function runEval(options: EvalOptions): Promise<RunFigures> {
  const log = options.log ?? (() => undefined);
  const set = options.set ?? "gold";
  const documents = SETS[set];
  if (!documents) throw new Error(`no question set ${set} (sets: ${Object.keys(SETS).join(", ")})`);
  const dataDir = mkdtempSync(join(tmpdir(), "ai-learning-eval-"));
  const server = await createServer(loadConfig(serverEnvironment(options, dataDir)));
  try {
    const client = new EvalClient(`${server.url}/graphql`);
    await client.signUp();
    const questions = setQuestions(set, options.questions);
    const uploads = new Map<string, string>();
    const passageText = new Map<string, Map<number, string>>();
    let ingestMs = 0;
    let pages = 0;
    for (const document of documents) {
      if (!questions.some((question) => question.document === document.id)) continue;
      const started = Date.now();
      const id = await client.upload(document.file, readFileSync(join(__dirname, set, document.file)), document.contentType);
      ingestMs += Date.now() - started;
      uploads.set(document.id, id);
      const texts = new Map<number, string>();
      for (const hit of await search(client, "the", id, ALL_PASSAGES)) texts.set(hit.chunkIndex, hit.text);
      passageText.set(document.id, texts);
      const { upload } = await client.request<{ upload: { pageCount: number | null; textLength: number } }>(
        "query($id: ID!) { upload(id: $id) { pageCount textLength } }",
        { id },
      );
      pages += upload.pageCount ?? Math.ceil(upload.textLength / 3000);
    }
    const ingestSeconds = ingestMs / 1000;
    log(`  ingested ${uploads.size} documents (${pages} pages) in ${ingestSeconds.toFixed(1)} s`);

    const ranks: number[] = [];
    for (const question of questions.filter((q) => q.answerable)) {
      const hits = await search(client, question.question, uploads.get(question.document)!, SEARCH_LIMIT);
      for (const hit of hits) passageText.get(question.document)!.set(hit.chunkIndex, hit.text);
      ranks.push(firstGoldRank(hits, question));
    }
    const retrieval = retrievalScores(ranks);

    const outcomes: AnswerOutcome[] = [];
    const dump: unknown[] = [];
    const groundings = new Map<string, number>();
    const groundingScores: Record<string, number[]> = { answerable: [], unanswerable: [] };
    for (const question of questions) {
      const answer = await ask(client, uploads.get(question.document)!, question.question);
      const texts = passageText.get(question.document)!;
      const refused = answer.content.includes(STRICT_REFUSAL);
      const kind = question.answerable ? "answerable" : "unanswerable";
      if (answer.grounding) groundings.set(`${kind} ${answer.grounding}`, (groundings.get(`${kind} ${answer.grounding}`) ?? 0) + 1);
      if (typeof answer.groundingScore === "number") groundingScores[kind].push(answer.groundingScore);
      const withText = (citation: MessageCitation) => ({ ...citation, text: texts.get(citation.chunkIndex) });
      const citations = answer.citations.map(withText);
      const claims = answer.claims?.map((claim) => ({ text: claim.text, citations: claim.citations.map(withText) }));
      if (process.env.EVAL_VERBOSE) {
        const cited = citations.map((citation) => `${citation.chunkIndex}${isGoldPassage(citation, question) ? "*" : ""}`).join(",");
        log(`  ${question.id} ${answer.grounding ?? ""} ${answer.groundingScore?.toFixed(2) ?? ""} ${refused ? "refused" : `cited ${cited || "nothing"}`}  ${question.question}`);
      }
      if (process.env.EVAL_DUMP) {
        const pool = await search(client, question.question, uploads.get(question.document)!, DUMP_PASSAGES, DUMP_FIELDS);
        dump.push({
          ...question,
          grounding: answer.grounding,
          groundingScore: answer.groundingScore,
          refused,
          content: answer.content,
          citations: citations.map((citation) => ({ ...citation, gold: isGoldPassage(citation, question) })),
          pool: pool.map((hit) => ({ ...hit, gold: isGoldPassage(hit, question) })),
        });
      }
      outcomes.push({ question, refused, text: answer.content, citations, claims });
      if (outcomes.length % 20 === 0) log(`  asked ${outcomes.length} of ${questions.length}`);
    }
    if (process.env.EVAL_DUMP) writeFileSync(join(process.env.EVAL_DUMP, `${set}-${options.provider}-${options.ranking}.json`), JSON.stringify(dump, null, 1));
    const citations = citationScores(outcomes);
    const quotes = quoteScores(outcomes);
    const claimQuotes = claimQuoteScores(outcomes);
    const refusals = refusalScores(outcomes);
    const f1 = meanTokenF1(outcomes);
    const fixed = (value: number) => value.toFixed(2);
    return {
      label: `${set}: ${options.provider}${options.embedding ? ` ${options.embedding}` : ""} ${options.ranking}`,
      lines: [
        ["questions (answerable/not)", `${refusals.answerable}/${refusals.unanswerable}`],
        ["ingestion pages/s", (pages / ingestSeconds).toFixed(0)],
        ["retrieval recall@1", fixed(retrieval.recallAt1)],
        ["retrieval recall@5", fixed(retrieval.recallAt5)],
        ["retrieval MRR@10", fixed(retrieval.mrrAt10)],
        ["citation precision", `${fixed(citations.precision)} (${citations.citations} cited)`],
        ["citation recall", `${fixed(citations.recall)} (${citations.answers} answers)`],
        ["quotes in passage and answer", `${fixed(quotes.share)} (${quotes.quotes} quotes)`],
        ["quotes in passage and their claim", `${fixed(claimQuotes.share)} (${claimQuotes.quotes} quotes)`],
        ["strict refusal precision", fixed(refusals.precision)],
        ["strict refusal recall", fixed(refusals.recall)],
        ["answered unanswerable", `${refusals.answeredUnanswerable} of ${refusals.unanswerable}`],
        ["refused answerable", `${refusals.refusedAnswerable} of ${refusals.answerable}`],
        ["answer token F1", fixed(f1)],
        ...[...groundings].sort().map(([key, count]) => [`grounding ${key}`, String(count)] as [string, string]),
        ...Object.entries(groundingScores)
          .filter(([, scores]) => scores.length > 0)
          .map(([kind, scores]) => [`mean grounding score, ${kind}`, fixed(scores.reduce((a, b) => a + b, 0) / scores.length)] as [string, string]),
      ],
    };
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Figures of several runs side by side, one column each. */
export function table(runs: RunFigures[]): string {
  const names = [...new Set(runs.flatMap((run) => run.lines.map(([name]) => name)))];
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const columns = runs.map((run) => Math.max(run.label.length, ...run.lines.map(([, value]) => value.length)) + 2);
  const row = (name: string, values: string[]) => name.padEnd(width) + values.map((value, i) => value.padEnd(columns[i])).join("");
  return [
    row("", runs.map((run) => run.label)),
    ...names.map((name) => row(name, runs.map((run) => run.lines.find(([line]) => line === name)?.[1] ?? "-"))),
  ].join("\n");
}

async function main(): Promise<void> {
  const list = (value: string) => value.split(",").map((item) => item.trim()).filter(Boolean);
  const rankings = list(process.env.EVAL_RANKINGS ?? "vector,hybrid");
  const sets = list(process.env.EVAL_SETS ?? "gold,heldout");
  const providers: EvalOptions["provider"][] = ["offline", ...(process.env.EVAL_OPENAI_BASE_URL ? (["openai"] as const) : [])];
  const embeddings: (string | undefined)[] = process.env.EVAL_EMBEDDINGS ? list(process.env.EVAL_EMBEDDINGS) : [undefined];
  const questions = process.env.EVAL_QUESTIONS ? Number(process.env.EVAL_QUESTIONS) : undefined;
  const runs: RunFigures[] = [];
  for (const set of sets) {
    for (const provider of providers) {
      // Embedding models are the offline provider's; the OpenAI-compatible server has its own.
      for (const embedding of provider === "offline" ? embeddings : [undefined]) {
        for (const ranking of rankings) {
          process.stdout.write(`eval: ${set} set, ${provider}${embedding ? ` ${embedding}` : ""}, ${ranking} ranking\n`);
          runs.push(await runEval({ set, provider, embedding, ranking, questions, log: (line) => process.stdout.write(`${line}\n`) }));
        }
      }
    }
  }
  process.stdout.write(`\n${table(runs)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}

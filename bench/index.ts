import { benchBulkWrite } from "./bulk-write";
import { benchChatStreaming } from "./chat-streaming";
import { benchClasses } from "./classes";
import { benchDurability } from "./durability";
import { benchEmbeddedMongo } from "./embedded-mongo";
import { benchHybridSearch } from "./hybrid-search";
import { benchIngestion } from "./ingestion";
import { benchLeaderboard } from "./leaderboard";
import { benchReadPath } from "./read-path";
import { benchStudy } from "./study";
import { benchVectorSearch } from "./vector-search";

async function embeddedMongoLines(): Promise<string[]> {
  const result = await benchEmbeddedMongo();
  return [
    `embedded-mongo (one driver client, awaited one by one)`,
    `  single inserts/s                 ${result.insertsPerSecond}   (target >= 10000)`,
    `  finds by _id/s                   ${result.findsByIdPerSecond}   (target >= 10000)`,
    `  find by unique field at ${result.documents} docs  p50 ${result.uniqueFieldLatencyMs.p50} ms, p99 ${result.uniqueFieldLatencyMs.p99} ms`,
    `  docs examined, indexed equality  ${result.docsExaminedForIndexedEquality}   (must be 1)`,
    `  planned reads at ${result.documents} docs (target p50 <= 2 ms, docs examined <= 2 x returned)`,
    ...result.planned.map(
      (read) =>
        `    ${read.name.padEnd(38)} p50 ${read.p50} ms, p99 ${read.p99} ms, returned ${read.returned}, docs examined ${read.docsExamined} (${(read.docsExamined / Math.max(1, read.returned)).toFixed(2)} x), keys ${read.keysExamined}`,
    ),
  ];
}

/** One entry per benchmark; each prints as soon as it is done, so a slow one hides nothing before it. */
const SECTIONS: Record<string, () => Promise<string[]>> = {
  "embedded-mongo": embeddedMongoLines,
  durability: benchDurability,
  "bulk-write": benchBulkWrite,
  ingestion: benchIngestion,
  "vector-search": benchVectorSearch,
  search: benchHybridSearch,
  leaderboard: benchLeaderboard,
  "chat-streaming": benchChatStreaming,
  "read-path": benchReadPath,
  study: benchStudy,
  classes: benchClasses,
};

/** `npm run bench [-- section ...]`: prints each benchmark's (or the named ones') figures against its target. */
async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0) throw new Error(`unknown bench section(s) ${unknown.join(", ")}; known: ${Object.keys(SECTIONS).join(", ")}`);
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (chosen.length === 0 || chosen.includes(name)) process.stdout.write((await section()).join("\n") + "\n");
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

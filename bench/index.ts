import { benchChatStreaming } from "./chat-streaming";
import { benchDurability } from "./durability";
import { benchEmbeddedMongo } from "./embedded-mongo";
import { benchIngestion } from "./ingestion";
import { benchLeaderboard } from "./leaderboard";
import { benchVectorSearch } from "./vector-search";

async function embeddedMongoLines(): Promise<string[]> {
  const result = await benchEmbeddedMongo();
  return [
    `embedded-mongo (one driver client, awaited one by one)`,
    `  single inserts/s                 ${result.insertsPerSecond}   (target >= 10000)`,
    `  finds by _id/s                   ${result.findsByIdPerSecond}   (target >= 10000)`,
    `  find by unique field at ${result.documents} docs  p50 ${result.uniqueFieldLatencyMs.p50} ms, p99 ${result.uniqueFieldLatencyMs.p99} ms`,
    `  docs examined, indexed equality  ${result.docsExaminedForIndexedEquality}   (must be 1)`,
  ];
}

/** One entry per benchmark; each prints as soon as it is done, so a slow one hides nothing before it. */
const SECTIONS: Array<() => Promise<string[]>> = [
  embeddedMongoLines,
  benchDurability,
  benchIngestion,
  benchVectorSearch,
  benchLeaderboard,
  benchChatStreaming,
];

/** `npm run bench`: prints each benchmark's figures against its target. */
async function main(): Promise<void> {
  for (const section of SECTIONS) process.stdout.write((await section()).join("\n") + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

import { benchChatStreaming } from "./chat-streaming";
import { benchDurability } from "./durability";
import { benchEmbeddedMongo } from "./embedded-mongo";
import { benchIngestion } from "./ingestion";
import { benchLeaderboard } from "./leaderboard";
import { benchVectorSearch } from "./vector-search";

/** `npm run bench`: prints each benchmark's figures against its target. */
async function main(): Promise<void> {
  const result = await benchEmbeddedMongo();
  const lines = [
    `embedded-mongo (one driver client, awaited one by one)`,
    `  single inserts/s                 ${result.insertsPerSecond}   (target >= 10000)`,
    `  finds by _id/s                   ${result.findsByIdPerSecond}   (target >= 10000)`,
    `  find by unique field at ${result.documents} docs  p50 ${result.uniqueFieldLatencyMs.p50} ms, p99 ${result.uniqueFieldLatencyMs.p99} ms`,
    `  docs examined, indexed equality  ${result.docsExaminedForIndexedEquality}   (must be 1)`,
    ...(await benchDurability()),
    ...(await benchIngestion()),
    ...(await benchVectorSearch()),
    ...(await benchLeaderboard()),
    ...(await benchChatStreaming()),
  ];
  process.stdout.write(lines.join("\n") + "\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});

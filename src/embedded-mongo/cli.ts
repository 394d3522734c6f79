import { parseArgs } from "node:util";
import { startEmbeddedMongo } from "./index";

/** `npm run db -- [--port N] [--dbpath DIR] [--host H] [--auth]`: serves until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "27017" },
      dbpath: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      auth: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port}`);
  const db = await startEmbeddedMongo({ host: values.host, port, dataDir: values.dbpath, auth: values.auth });
  process.stdout.write(`${db.uri}\n`);
  const shutdown = () => {
    db.stop().then(() => process.exit(0), fail);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

function fail(error: unknown): never {
  process.stderr.write(`embedded-mongo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

main().catch(fail);

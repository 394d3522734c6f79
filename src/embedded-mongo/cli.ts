import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { startEmbeddedMongo } from "./index";

const USAGE = "npm run db -- [--port N] [--host H] [--dbpath DIR | --in-memory] [--auth]";

/**
 * `npm run db`: serves until SIGINT/SIGTERM. A standalone database must not lose its data on a
 * restart, so it keeps it on disk by default, in `$DATA_DIR/db` (`.data/db`): the directory the
 * API's own embedded engine uses, so the data `npm start` kept is the data served here.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "27017" },
      dbpath: { type: "string" },
      "in-memory": { type: "boolean", default: false },
      host: { type: "string", default: "127.0.0.1" },
      auth: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid --port ${values.port} (${USAGE})`);
  if (values["in-memory"] && values.dbpath) throw new Error(`--dbpath and --in-memory exclude each other (${USAGE})`);
  const dataDir = values["in-memory"] ? undefined : resolve(values.dbpath ?? resolve(process.env.DATA_DIR ?? ".data", "db"));
  const db = await startEmbeddedMongo({ host: values.host, port, dataDir, auth: values.auth });
  process.stdout.write(`${db.uri}\n`);
  process.stderr.write(
    dataDir ? `embedded-mongo: data kept in ${dataDir} (--in-memory keeps nothing)\n` : "embedded-mongo: in memory only: everything is lost when it stops\n",
  );
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

import "reflect-metadata";
import { parseArgs } from "node:util";
import { validate } from "class-validator";
import { ConfigError, loadConfig, readEnvironment } from "../../config";
import { connectDatabase, runningEmbeddedDatabase, withoutCredentials } from "../../infra/db";
import { DomainEventBus } from "../../lib/events";
import { createLogger } from "../../lib/logger";
import { RegisterInput } from "../auth/auth.inputs";
import { UserService } from "./user.service";

const USAGE =
  "usage: npm run create-admin -- --email <email> [--name <name>] [--promote]\n" +
  "  the password is asked for without echo on a terminal, else read from the first line of stdin\n" +
  "  (--password <password> works too, but stays in the shell's history)";

/**
 * Creates an admin in the configured database: MONGODB_URL, or the embedded engine's DATA_DIR,
 * through the process serving it when one does (a development server, `npm run db`). An existing
 * account is left alone unless `--promote` makes it an active admin, keeping its password.
 */
async function main(): Promise<number> {
  const values = options();
  const password = values.password ?? (await readPassword());
  const input = Object.assign(new RegisterInput(), { email: values.email ?? "", password, name: values.name });
  const problems = await validate(input, { validationError: { target: false, value: false } });
  if (problems.length > 0) {
    throw new UsageError(problems.flatMap((problem) => Object.values(problem.constraints ?? {})).join("; "));
  }

  let config = loadConfig(readEnvironment());
  const running = await runningEmbeddedDatabase(config);
  if (running) {
    process.stderr.write(`create-admin: the database in ${config.dataDir} is served by process ${running.pid}: using it at ${withoutCredentials(running.uri)}\n`);
    config = { ...config, database: { ...config.database, url: running.uri } };
  }
  const log = createLogger({ level: "warn" });
  const database = await connectDatabase(config, log);
  try {
    // No server runs in this process: nobody here reacts to its events.
    const users = new UserService({ bcryptCost: config.auth.bcryptCost, events: new DomainEventBus() });
    if ((await users.ensureAdmin(input)) === "created") {
      process.stdout.write(`created admin ${input.email.toLowerCase()}\n`);
      return 0;
    }
    if (values.promote) {
      await users.promoteToAdmin(input.email);
      process.stdout.write(`${input.email.toLowerCase()} already had an account: now an active admin (password unchanged)\n`);
      return 0;
    }
    process.stderr.write(`${input.email.toLowerCase()} already has an account; pass --promote to make it an admin\n`);
    return 1;
  } finally {
    await database.close();
  }
}

class UsageError extends Error {}

/** From a terminal: asked twice, never echoed. Otherwise: the first line of stdin (a pipe, a file). */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = "";
    for await (const chunk of process.stdin) text += String(chunk);
    return text.split(/\r?\n/)[0] ?? "";
  }
  const first = await askHidden("Password: ");
  if ((await askHidden("Password again: ")) !== first) throw new UsageError("the two passwords differ");
  return first;
}

function askHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  // Echo off before the prompt shows: whatever is typed once it is visible is never echoed.
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let typed = "";
    const finish = (then: () => void) => {
      stdin.off("data", onKeys);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      then();
    };
    const onKeys = (keys: string) => {
      for (const key of keys) {
        if (key === "\r" || key === "\n") return finish(() => resolve(typed));
        if (key === "\u0003" || key === "\u0004") return finish(() => reject(new UsageError("cancelled")));
        if (key === "\u007f" || key === "\b") typed = typed.slice(0, -1);
        else typed += key;
      }
    };
    stdin.on("data", onKeys);
  });
}

function options() {
  try {
    return parseArgs({
      options: {
        email: { type: "string" },
        password: { type: "string" },
        name: { type: "string", default: "Administrator" },
        promote: { type: "boolean", default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`create-admin: ${error.message}\n${USAGE}\n`);
      process.exit(2);
    }
    const message = error instanceof ConfigError ? error.message : ((error as Error).stack ?? String(error));
    process.stderr.write(`create-admin: ${message}\n`);
    process.exit(1);
  },
);

import "reflect-metadata";
import { parseArgs } from "node:util";
import { validate } from "class-validator";
import { ConfigError, loadConfig, readEnvironment } from "../../config";
import { connectDatabase } from "../../infra/db";
import { DomainEventBus } from "../../lib/events";
import { createLogger } from "../../lib/logger";
import { RegisterInput } from "../auth/auth.inputs";
import { UserService } from "./user.service";

const USAGE = "usage: npm run create-admin -- --email <email> --password <password> [--name <name>] [--promote]";

/**
 * Creates an admin in the configured database (MONGODB_URL, or the embedded engine's DATA_DIR:
 * stop the server first, it holds that directory). An existing account is left alone unless
 * `--promote` makes it an active admin, keeping its password.
 */
async function main(): Promise<number> {
  const values = options();
  const input = Object.assign(new RegisterInput(), { email: values.email ?? "", password: values.password ?? "", name: values.name });
  const problems = await validate(input, { validationError: { target: false, value: false } });
  if (problems.length > 0) {
    throw new UsageError(problems.flatMap((problem) => Object.values(problem.constraints ?? {})).join("; "));
  }

  const config = loadConfig(readEnvironment());
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

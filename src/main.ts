import "reflect-metadata";
import { ConfigError, loadConfig, readEnvironment, type Config } from "./config";
import { createLogger } from "./lib/logger";
import { createServer } from "./server";
import { ProcessGuard } from "./server/process-guard";

function configOrExit(): Config {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // One line naming the variable; a stack trace would only hide it.
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const log = createLogger(config.log);
  const guard = new ProcessGuard(log);
  guard.install();
  if (config.jwt.secretFile) log.info(`JWT secret for development kept in ${config.jwt.secretFile}`);

  const server = await createServer(config, { logger: log, guard }).catch((error: NodeJS.ErrnoException) => {
    const reason =
      error.code === "EADDRINUSE" ? `PORT ${config.port} is already in use (set PORT to a free port)` : error.message;
    log.fatal({ err: error }, `start-up failed: ${reason}`);
    process.exit(1);
  });
  log.info({ env: config.env }, `ready: ${server.url}/graphql`);

  // A second signal falls through to Node's default handler and ends the process at once.
  const shutdown = (signal: NodeJS.Signals) => {
    log.info({ signal }, "shutting down: finishing in-flight requests");
    server.stop().then(
      () => process.exit(0),
      (error: Error) => {
        log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
}

void main();

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
  // A person at a terminal reads lines; everything else (a pipe, a file, a log collector) gets JSON.
  const log = createLogger({ ...config.log, pretty: config.env === "development" && process.stdout.isTTY === true });
  const guard = new ProcessGuard(log);
  guard.install();
  if (config.jwt.secretFile) log.info(`JWT secret for development kept in ${config.jwt.secretFile}`);

  const server = await createServer(config, { logger: log, guard }).catch((error: NodeJS.ErrnoException) => {
    if (error instanceof ConfigError) {
      log.fatal(`start-up failed: ${error.message}`);
    } else if (error.code === "EADDRINUSE") {
      // Nothing to debug: a stack trace would only hide the one fact that matters.
      log.fatal({ host: config.host, port: config.port }, `start-up failed: PORT ${config.port} is already in use on ${config.host} (set PORT to a free port)`);
    } else {
      log.fatal({ err: error }, `start-up failed: ${error.message}`);
    }
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

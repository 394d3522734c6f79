import type { Config } from "../../config";
import type { Logger } from "../../lib/logger";
import type { Mailer } from "./mailer";
import { OutboxMailer } from "./outbox-mailer";

export type { Mailer, MailMessage } from "./mailer";
export type { OutboxEntry } from "./outbox-mailer";

/** The configured mailer: today the development outbox (docs/configuration.md, "Mail"). */
export function createMailer(config: Config["mail"], log: Logger): Mailer {
  return new OutboxMailer({ from: config.from, dir: config.outboxDir, log });
}

import type { Config } from "../../config";
import type { Logger } from "../../lib/logger";
import type { Mailer } from "./mailer";
import { OutboxMailer } from "./outbox-mailer";
import { SmtpMailer } from "./smtp-mailer";

export { MailNotSent, type Mailer, type MailMessage } from "./mailer";
export type { OutboxEntry } from "./outbox-mailer";

/** SMTP delivery when SMTP_URL is set, else the development outbox (docs/configuration.md, "Mail"). */
export function createMailer(config: Config["mail"], log: Logger): Mailer {
  if (config.smtpUrl) return new SmtpMailer({ url: config.smtpUrl, from: config.from, log });
  return new OutboxMailer({ from: config.from, dir: config.outboxDir, log });
}

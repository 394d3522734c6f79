import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../lib/logger";
import type { Mailer, MailMessage } from "./mailer";

/** A message as the outbox keeps it: one JSON file per message. */
export interface OutboxEntry extends MailMessage {
  from: string;
  /** ISO 8601. */
  date: string;
}

/**
 * The development outbox: nothing leaves the machine. Each message is logged (so a developer
 * clicks the link from the console) and written to `dir` as `<time>-<id>.json`, which is also
 * how scripts and tests read what was sent.
 */
export class OutboxMailer implements Mailer {
  readonly description: string;
  readonly delivers = false;

  constructor(private readonly options: { from: string; dir: string; log: Logger }) {
    this.description = `outbox ${options.dir}`;
  }

  async send(message: MailMessage): Promise<void> {
    const entry: OutboxEntry = { from: this.options.from, ...message, date: new Date().toISOString() };
    await mkdir(this.options.dir, { recursive: true });
    // The time first, so the files sort in the order they were sent.
    const file = join(this.options.dir, `${entry.date.replace(/[:.]/g, "-")}-${randomUUID()}.json`);
    await writeFile(file, JSON.stringify(entry, null, 2), { mode: 0o600 });
    this.options.log.info({ to: message.to, subject: message.subject, file }, `mail (outbox, not sent):\n${message.text}`);
  }

  async close(): Promise<void> {
    // Files: nothing stays open.
  }
}

import { createTransport } from "nodemailer";
import type { NodemailerError } from "nodemailer/lib/errors";
import type { Logger } from "../../lib/logger";
import { MailNotSent, type Mailer, type MailMessage } from "./mailer";

/**
 * A request waits for its mail to be accepted: these bound that wait well below nodemailer's
 * defaults (two minutes to connect, ten of silence), so a dead server costs a client seconds.
 */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * Delivery through an SMTP server (SMTP_URL): `smtps://` speaks TLS from the start, `smtp://`
 * upgrades with STARTTLS when the server offers it. Connections are pooled and reused between
 * messages; `close` ends them at shutdown.
 */
export class SmtpMailer implements Mailer {
  readonly description: string;
  readonly delivers = true;
  private readonly transport;

  constructor(private readonly options: { url: string; from: string; log: Logger }) {
    this.transport = createTransport({ ...TIMEOUTS, url: options.url, pool: true }, { from: options.from });
    this.description = `SMTP ${withoutPassword(options.url)}`;
  }

  async send(message: MailMessage): Promise<void> {
    try {
      const sent = await this.transport.sendMail(message);
      this.options.log.info({ to: message.to, subject: message.subject, messageId: sent.messageId }, "mail sent");
    } catch (error) {
      const failure = error as NodemailerError;
      // The server's own words (its reply code and text), never the credentials.
      const reply = failure.response ?? failure.message;
      const recipientRefused = failure.code === "EENVELOPE" && failure.permanent === true && (failure.rejected?.length ?? 0) > 0;
      throw new MailNotSent(`SMTP ${failure.command ?? "delivery"} failed (${failure.code ?? "error"}): ${reply}`, recipientRefused, { cause: error });
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** `smtp://user:secret@host:587?…` as `smtp://user@host:587`: what the log may show. */
function withoutPassword(url: string): string {
  const parsed = new URL(url);
  const user = parsed.username ? `${parsed.username}@` : "";
  return `${parsed.protocol}//${user}${parsed.host}`;
}

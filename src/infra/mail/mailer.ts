/** One plain-text message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Where the API's mail goes: services import this port, never an adapter. `send` resolves once
 * the message is handed over (written, or accepted by the server) and rejects when it was not,
 * with a MailNotSent when the adapter knows why.
 */
export interface Mailer {
  /** For the start-up log line: where mail goes (never a password). */
  readonly description: string;
  /** Whether a message leaves this machine (false: the development outbox). */
  readonly delivers: boolean;
  send(message: MailMessage): Promise<void>;
  /** Ends open connections; called once, at shutdown, after the last `send`. */
  close(): Promise<void>;
}

/** A message that was not handed over, and whether asking again could help. */
export class MailNotSent extends Error {
  constructor(
    message: string,
    /** The mail server refused the recipient's address for good: sending again would not help. */
    readonly recipientRefused: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MailNotSent";
  }
}

/** One plain-text message. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Where the API's mail goes: services import this port, never an adapter. `send` resolves once
 * the message is handed over (written, or accepted by the server) and rejects when it was not.
 */
export interface Mailer {
  /** For the start-up log line: where mail goes. */
  readonly description: string;
  send(message: MailMessage): Promise<void>;
}

import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** A message as the test SMTP server received it: the envelope, and the parsed headers and body. */
export interface ReceivedMail {
  /** The account that signed in (AUTH), if any. */
  authUser?: string;
  envelope: { from: string; to: string[] };
  from: { name: string; address: string };
  to: string[];
  subject: string;
  text: string;
}

export interface TestSmtpServer {
  port: number;
  /** `smtp://…` for SMTP_URL, with these credentials percent-encoded in it. */
  url(credentials?: { user: string; password: string }): string;
  /** Every message accepted so far, oldest first. */
  received: ReceivedMail[];
  /** Messages refused at the end of DATA (they were read and parsed first). */
  refusedData: ReceivedMail[];
  /** Every sign-in attempt: the user name and whether it was accepted. */
  logins: { user: string; accepted: boolean }[];
  /** Connections open right now. */
  openConnections(): number;
  /** Messages accepted for `to`, oldest first. */
  mailTo(to: string): ReceivedMail[];
  /** Answer RCPT TO for these addresses with 550. */
  refuseRecipients: Set<string>;
  /** Answer the end of DATA with 554 for messages to these addresses. */
  refuseDataTo: Set<string>;
  stop(): Promise<void>;
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port in the test process;
 * what it receives is parsed with `mailparser`. With `credentials`, it requires that sign-in.
 * Plain connections only (no STARTTLS offered), as a local relay.
 */
export async function startSmtpServer(credentials?: { user: string; password: string }): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const refusedData: ReceivedMail[] = [];
  const logins: { user: string; accepted: boolean }[] = [];
  const refuseRecipients = new Set<string>();
  const refuseDataTo = new Set<string>();
  let open = 0;
  const smtp = new SMTPServer({
    logger: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    authOptional: !credentials,
    onConnect(_session, callback) {
      open++;
      callback();
    },
    onClose() {
      open--;
    },
    onAuth(auth, _session, callback) {
      const accepted = !!credentials && auth.username === credentials.user && auth.password === credentials.password;
      logins.push({ user: auth.username ?? "", accepted });
      if (!accepted) return callback(Object.assign(new Error("Invalid username or password"), { responseCode: 535 }));
      callback(null, { user: auth.username });
    },
    onRcptTo(address, _session, callback) {
      if (refuseRecipients.has(address.address.toLowerCase())) {
        return callback(Object.assign(new Error("No such mailbox here"), { responseCode: 550 }));
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (parsed) => {
          const envelopeTo = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
          const to = [parsed.to ?? []].flat().flatMap((group) => group.value.map((address) => address.address ?? ""));
          const mail: ReceivedMail = {
            authUser: typeof session.user === "string" ? session.user : undefined,
            envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: envelopeTo },
            from: { name: parsed.from?.value[0]?.name ?? "", address: parsed.from?.value[0]?.address ?? "" },
            to,
            subject: parsed.subject ?? "",
            text: parsed.text ?? "",
          };
          if (envelopeTo.some((address) => refuseDataTo.has(address))) {
            refusedData.push(mail);
            return callback(Object.assign(new Error("Message rejected as spam"), { responseCode: 554 }));
          }
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  const listener = await new Promise<ReturnType<SMTPServer["listen"]>>((resolve, reject) => {
    const server = smtp.listen(0, "127.0.0.1", () => resolve(server));
    server.once("error", reject);
  });
  const { port } = listener.address() as AddressInfo;
  return {
    port,
    url: (login) => `smtp://${login ? `${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@` : ""}127.0.0.1:${port}`,
    received,
    refusedData,
    logins,
    openConnections: () => open,
    mailTo: (to) => received.filter((mail) => mail.envelope.to.includes(to.toLowerCase())),
    refuseRecipients,
    refuseDataTo,
    stop: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}

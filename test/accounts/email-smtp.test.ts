import { readdir } from "node:fs/promises";
import { MyEmailDocument, RequestEmailVerificationDocument, VerifyEmailDocument } from "../generated/graphql";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { startInstance } from "../helpers/instance";
import { verificationLink } from "../helpers/mail";
import { startSmtpServer, type TestSmtpServer } from "../helpers/smtp-server";
import { startTestServer, type TestServer } from "../helpers/server";
import { logWhen } from "../helpers/log-file";
import { ACCOUNTS_ENV, registerUser, uniqueEmail, type Gql, type Session } from "./support";

/**
 * Real delivery: with SMTP_URL set, verification mail goes through an SMTP server (the
 * `smtp-server` package, on loopback in this process) that requires a sign-in, and arrives as a
 * mail client would read it. A server that refuses the message gives the client a clear error
 * and changes nothing.
 */
jest.setTimeout(60_000);

const LOGIN = { user: "platform@learning.example", password: "s3cret p@ss:w%rd/" };
const MAIL_FROM = "Learning Platform <no-reply@learning.example>";

let smtp: TestSmtpServer;
let server: TestServer;
let gql: Gql;

beforeAll(async () => {
  smtp = await startSmtpServer(LOGIN);
  // Two a user an hour: the refusal tests show that a mail not sent does not count.
  server = await startTestServer({ ...ACCOUNTS_ENV, SMTP_URL: smtp.url(LOGIN), MAIL_FROM, EMAIL_VERIFICATION_PER_HOUR: "2" });
  gql = graphqlClient(server.graphqlUrl);
});

afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
});

async function verified(session: Session): Promise<boolean | undefined> {
  return (await gql(MyEmailDocument, {}, { token: session.accessToken })).data?.me.emailVerified;
}

function reasonOf(response: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return response.errors?.[0]?.extensions?.reason;
}

test("the verification mail arrives through the SMTP server, signed in, and its link verifies", async () => {
  const email = uniqueEmail("Smtp");
  const user = await registerUser(gql, { email, name: "Sam" });
  expect((await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken })).data?.requestEmailVerification).toBe(true);

  const [mail, ...more] = smtp.mailTo(email);
  expect(more).toEqual([]);
  expect(mail).toMatchObject({
    authUser: LOGIN.user,
    envelope: { from: "no-reply@learning.example", to: [email.toLowerCase()] },
    from: { name: "Learning Platform", address: "no-reply@learning.example" },
    to: [email.toLowerCase()],
    subject: "Verify your e-mail address",
  });
  expect(mail.text).toContain("Hello Sam,");
  expect(smtp.logins).toContainEqual({ user: LOGIN.user, accepted: true });
  // Delivered instead of written to the development outbox.
  expect(await readdir(server.config.mail.outboxDir).catch(() => [])).toEqual([]);

  const link = verificationLink(mail);
  expect(link.origin).toBe(server.url);
  const opened = await fetch(link);
  expect(opened.status).toBe(200);
  expect(await opened.json()).toEqual({ detail: "E-mail address verified", email: email.toLowerCase() });
  expect(await verified(user)).toBe(true);
});

test("a recipient the mail server refuses: SERVICE_UNAVAILABLE saying so, nothing verified, and asking again works", async () => {
  const email = uniqueEmail("refused");
  const user = await registerUser(gql, { email });
  smtp.refuseRecipients.add(email.toLowerCase());
  for (let i = 0; i < 3; i++) {
    const refused = await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
    expect([errorCode(refused), reasonOf(refused)]).toEqual(["SERVICE_UNAVAILABLE", "recipient_refused"]);
    expect(refused.errors?.[0]?.message).toBe(`The mail server refused to deliver to ${email.toLowerCase()}; check that the address is right`);
    expect(refused.errors?.[0]?.extensions).not.toHaveProperty("stacktrace");
  }
  expect(smtp.mailTo(email)).toEqual([]);
  expect(await verified(user)).toBe(false);

  // Three refusals past a budget of two: none of them counted.
  smtp.refuseRecipients.delete(email.toLowerCase());
  expect((await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken })).data?.requestEmailVerification).toBe(true);
  expect((await fetch(verificationLink(smtp.mailTo(email)[0]))).status).toBe(200);
  expect(await verified(user)).toBe(true);
});

test("a message the mail server refuses after reading it: SERVICE_UNAVAILABLE, and its code does not work", async () => {
  const email = uniqueEmail("spam");
  const user = await registerUser(gql, { email });
  smtp.refuseDataTo.add(email.toLowerCase());
  const refused = await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
  expect([errorCode(refused), reasonOf(refused)]).toEqual(["SERVICE_UNAVAILABLE", "mail_not_sent"]);
  expect(refused.errors?.[0]?.message).toBe("The verification mail could not be sent; try again later");
  expect(JSON.stringify(refused)).not.toMatch(/554|spam|\n\s+at /);
  expect(smtp.mailTo(email)).toEqual([]);

  // The server read the message before refusing it: its code was never kept.
  const [unsent] = smtp.refusedData.filter((mail) => mail.envelope.to.includes(email.toLowerCase()));
  const token = verificationLink(unsent).searchParams.get("token")!;
  const tried = await gql(VerifyEmailDocument, { token });
  expect([errorCode(tried), reasonOf(tried)]).toEqual(["BAD_USER_INPUT", "token_invalid"]);
  expect((await fetch(verificationLink(unsent))).status).toBe(422);
  expect(await verified(user)).toBe(false);
});

test("a wrong SMTP password: the sign-in is refused, the client is told the mail was not sent, and no log shows the password", async () => {
  const wrong = { user: LOGIN.user, password: "not-the-password!" };
  const instance = await startInstance({ ...ACCOUNTS_ENV, DATABASE_IN_MEMORY: "true", SMTP_URL: smtp.url(wrong), MAIL_FROM });
  try {
    const instanceGql = graphqlClient(instance.graphqlUrl);
    const user = await registerUser(instanceGql, { email: uniqueEmail("badlogin") });
    const refused = await instanceGql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
    expect([errorCode(refused), reasonOf(refused)]).toEqual(["SERVICE_UNAVAILABLE", "mail_not_sent"]);
    expect(smtp.logins).toContainEqual({ user: LOGIN.user, accepted: false });
    const logs = await logWhen(() => instance.logs.join("\n"), (text) => text.includes("the verification mail could not be sent"));
    expect(logs).toContain(`mail: SMTP smtp://${encodeURIComponent(LOGIN.user)}@127.0.0.1:${smtp.port}`);
    expect(logs).toContain("the verification mail could not be sent");
    expect(logs).toContain("535");
    for (const secret of [wrong.password, encodeURIComponent(wrong.password)]) expect(logs).not.toContain(secret);
  } finally {
    await instance.stop();
  }
});

test("stopping the API closes its pooled SMTP connections", async () => {
  expect(smtp.openConnections()).toBeGreaterThan(0);
  await server.stop();
  for (let waited = 0; smtp.openConnections() > 0 && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(smtp.openConnections()).toBe(0);
});

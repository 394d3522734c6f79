import { join } from "node:path";
import {
  AcceptClassInvitationDocument,
  CreateClassDocument,
  InviteToClassDocument,
  MyEmailDocument,
  MyInvitationsDocument,
  RequestEmailVerificationDocument,
  SetUserRoleDocument,
  VerifyEmailDocument,
} from "../generated/graphql";
import { ADMIN_ENV, adminToken } from "../helpers/admin";
import { errorCode, graphqlClient } from "../helpers/graphql";
import { startInstance } from "../helpers/instance";
import { lastMailTo, mailTo, verificationLink } from "../helpers/mail";
import { startTestServer, type TestServer } from "../helpers/server";
import { ACCOUNTS_ENV, registerUser, uniqueEmail, type Gql, type Session } from "./support";

/**
 * E-mail verification end to end: the mail (read from the development outbox, where a developer
 * reads it), its link and its code, single use, expiry, the hourly limit, and class invitations
 * that wait for a verified address.
 */
jest.setTimeout(60_000);

let server: TestServer;
let gql: Gql;
let outbox: string;

beforeAll(async () => {
  server = await startTestServer({ ...ACCOUNTS_ENV, ...ADMIN_ENV, EMAIL_VERIFICATION_PER_HOUR: "3" });
  gql = graphqlClient(server.graphqlUrl);
  outbox = server.config.mail.outboxDir;
});

afterAll(async () => {
  await server?.stop();
});

async function verified(session: Session): Promise<boolean | undefined> {
  return (await gql(MyEmailDocument, {}, { token: session.accessToken })).data?.me.emailVerified;
}

function reasonOf(response: { errors?: readonly { extensions?: Record<string, unknown> }[] }): unknown {
  return response.errors?.[0]?.extensions?.reason;
}

test("the mailed link verifies the address, once", async () => {
  const email = uniqueEmail("Verify");
  const user = await registerUser(gql, { email, name: "Vera" });
  expect(await verified(user)).toBe(false);
  expect(errorCode(await gql(RequestEmailVerificationDocument, {}))).toBe("UNAUTHENTICATED");

  expect((await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken })).data?.requestEmailVerification).toBe(true);
  const mail = await lastMailTo(outbox, email);
  expect(mail).toMatchObject({ to: email.toLowerCase(), subject: "Verify your e-mail address", from: server.config.mail.from });
  expect(mail.text).toContain("Hello Vera,");
  expect(mail.text).toContain("within 24 hours:");
  // The link leads back to this server (no PUBLIC_URL: the origin the request came to).
  const link = verificationLink(mail);
  expect(link.origin).toBe(server.url);
  expect(link.pathname).toBe("/api/v1/auth/verify-email");
  const token = link.searchParams.get("token")!;
  expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(mail.text).toContain(`\n${token}\n`);

  const opened = await fetch(link);
  expect(opened.status).toBe(200);
  expect(await opened.json()).toEqual({ detail: "E-mail address verified", email: email.toLowerCase() });
  expect(await verified(user)).toBe(true);

  // Single use: the link and its code are spent.
  const again = await fetch(link);
  expect(again.status).toBe(422);
  const reused = await gql(VerifyEmailDocument, { token });
  expect([errorCode(reused), reasonOf(reused)]).toEqual(["BAD_USER_INPUT", "token_invalid"]);
  // Verified already: no more mail.
  const more = await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
  expect([errorCode(more), reasonOf(more)]).toEqual(["CONFLICT", "email_verified"]);
  expect(await mailTo(outbox, email)).toHaveLength(1);
});

test("the code works through `verifyEmail` without signing in; bad codes are refused and change nothing", async () => {
  const email = uniqueEmail("code");
  const user = await registerUser(gql, { email });
  for (const token of ["", "x".repeat(201)]) expect(errorCode(await gql(VerifyEmailDocument, { token }))).toBe("BAD_USER_INPUT");
  const unknown = await gql(VerifyEmailDocument, { token: "A".repeat(43) });
  expect([errorCode(unknown), reasonOf(unknown)]).toEqual(["BAD_USER_INPUT", "token_invalid"]);
  expect((await fetch(`${server.url}/api/v1/auth/verify-email`)).status).toBe(422);
  expect(await verified(user)).toBe(false);

  await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
  const token = verificationLink(await lastMailTo(outbox, email)).searchParams.get("token")!;
  const done = await gql(VerifyEmailDocument, { token });
  expect(done.data?.verifyEmail).toEqual({ id: user.user.id, email: email.toLowerCase(), emailVerified: true });
  expect(await verified(user)).toBe(true);
});

test("a few mails an hour per user; each link works until used, and using one ends the others", async () => {
  const email = uniqueEmail("limit");
  const user = await registerUser(gql, { email });
  for (let i = 0; i < 3; i++) expect((await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken })).data?.requestEmailVerification).toBe(true);
  const refused = await gql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
  expect(errorCode(refused)).toBe("RATE_LIMITED");
  expect(refused.errors?.[0]?.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
  const mails = await mailTo(outbox, email);
  expect(mails).toHaveLength(3);
  const [first, , last] = mails.map((mail) => verificationLink(mail));
  expect((await fetch(first)).status).toBe(200);
  expect(await verified(user)).toBe(true);
  expect((await fetch(last)).status).toBe(422);
});

test("an expired link is refused", async () => {
  // A second server (its own process: one per process) whose links last a second.
  const short = await startInstance({ ...ACCOUNTS_ENV, DATABASE_IN_MEMORY: "true", EMAIL_VERIFICATION_TTL: "1" });
  try {
    const shortGql = graphqlClient(short.graphqlUrl);
    const email = uniqueEmail("expiry");
    const user = await registerUser(shortGql, { email });
    await shortGql(RequestEmailVerificationDocument, {}, { token: user.accessToken });
    const mail = await lastMailTo(join(short.dataDir, "outbox"), email);
    expect(mail.text).toContain("within 1 second:");
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    const expired = await shortGql(VerifyEmailDocument, { token: verificationLink(mail).searchParams.get("token")! });
    expect([errorCode(expired), reasonOf(expired)]).toEqual(["BAD_USER_INPUT", "token_invalid"]);
    expect((await shortGql(MyEmailDocument, {}, { token: user.accessToken })).data?.me.emailVerified).toBe(false);
  } finally {
    await short.stop();
  }
});

test("a class invitation shows, and can be accepted, only once the invitee's address is verified", async () => {
  const admin = await adminToken(server);
  const teacher = await registerUser(gql, { name: "Teacher" });
  await gql(SetUserRoleDocument, { userId: teacher.user.id, role: "INSTRUCTOR" }, { token: admin });
  const created = await gql(CreateClassDocument, { input: { name: "Verified only" } }, { token: teacher.accessToken });
  const classId = created.data!.createClass.id;

  // Someone who signed up with the address, and someone who registers with it after the invitation.
  const studentEmail = uniqueEmail("invitee");
  const laterEmail = uniqueEmail("later");
  const student = await registerUser(gql, { email: studentEmail });
  const sent = await gql(InviteToClassDocument, { classId, emails: [studentEmail, laterEmail] }, { token: teacher.accessToken });
  const invitationId = sent.data!.inviteToClass.find((invitation) => invitation.email === studentEmail.toLowerCase())!.id;

  expect((await gql(MyInvitationsDocument, {}, { token: student.accessToken })).data?.myInvitations).toEqual([]);
  const early = await gql(AcceptClassInvitationDocument, { id: invitationId }, { token: student.accessToken });
  expect([errorCode(early), reasonOf(early)]).toEqual(["FORBIDDEN", "email_not_verified"]);

  await gql(RequestEmailVerificationDocument, {}, { token: student.accessToken });
  expect((await fetch(verificationLink(await lastMailTo(outbox, studentEmail)))).status).toBe(200);
  expect((await gql(MyInvitationsDocument, {}, { token: student.accessToken })).data?.myInvitations).toEqual([
    { id: invitationId, className: "Verified only", status: "PENDING" },
  ]);
  expect((await gql(AcceptClassInvitationDocument, { id: invitationId }, { token: student.accessToken })).data?.acceptClassInvitation).toEqual({ id: invitationId, status: "ACCEPTED" });

  const later = await registerUser(gql, { email: laterEmail });
  expect((await gql(MyInvitationsDocument, {}, { token: later.accessToken })).data?.myInvitations).toEqual([]);
  await gql(RequestEmailVerificationDocument, {}, { token: later.accessToken });
  const token = verificationLink(await lastMailTo(outbox, laterEmail)).searchParams.get("token")!;
  await gql(VerifyEmailDocument, { token });
  expect((await gql(MyInvitationsDocument, {}, { token: later.accessToken })).data?.myInvitations).toEqual([
    { id: expect.any(String), className: "Verified only", status: "PENDING" },
  ]);
});

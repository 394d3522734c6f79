import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { OutboxEntry } from "../../src/infra/mail";

/**
 * The messages the server's development outbox (MAIL_OUTBOX_DIR, by default DATA_DIR/outbox)
 * holds for `to`, oldest first: what a developer reads there, read the same way.
 */
export async function mailTo(outboxDir: string, to: string): Promise<OutboxEntry[]> {
  const files = (await readdir(outboxDir).catch(() => [] as string[])).filter((file) => file.endsWith(".json")).sort();
  const entries = await Promise.all(files.map(async (file) => JSON.parse(await readFile(join(outboxDir, file), "utf8")) as OutboxEntry));
  return entries.filter((entry) => entry.to === to.toLowerCase());
}

/** The newest message to `to`; fails when there is none. */
export async function lastMailTo(outboxDir: string, to: string): Promise<OutboxEntry> {
  const all = await mailTo(outboxDir, to);
  if (all.length === 0) throw new Error(`no mail to ${to} in ${outboxDir}`);
  return all[all.length - 1];
}

/** The verification link in a message (from the outbox or an SMTP server), as a URL (its `token` parameter is the code). */
export function verificationLink(mail: { text: string }): URL {
  const found = /https?:\/\/\S+\/verify-email\?token=\S+/.exec(mail.text);
  if (!found) throw new Error(`no verification link in: ${mail.text}`);
  return new URL(found[0]);
}

/**
 * Verifies `token`'s user's address through the real flow: asks the server at `graphqlUrl` for
 * the mail, reads it from that server's outbox and opens its link.
 */
export async function verifyEmailThroughMail(graphqlUrl: string, outboxDir: string, token: string, email: string): Promise<void> {
  const response = await fetch(graphqlUrl, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "mutation { requestEmailVerification }" }),
  });
  const body = (await response.json()) as { data?: { requestEmailVerification?: boolean }; errors?: unknown[] };
  if (body.data?.requestEmailVerification !== true) throw new Error(`requestEmailVerification failed: ${JSON.stringify(body.errors)}`);
  const opened = await fetch(verificationLink(await lastMailTo(outboxDir, email)));
  if (opened.status !== 200) throw new Error(`the verification link answered ${opened.status}: ${await opened.text()}`);
}

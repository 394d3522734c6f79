import { createHash, randomBytes } from "node:crypto";
import type { Types } from "mongoose";
import { MailNotSent, type Mailer } from "../../infra/mail";
import { raise } from "../../lib/errors";
import type { SignedIn } from "../../lib/identity";
import type { Logger } from "../../lib/logger";
import type { Quota } from "../../lib/quota";
import { emailVerified, type User } from "../users/user.model";
import type { UserService } from "../users/user.service";
import { EmailVerification, EmailVerificationModel } from "./email-verification.model";

/** The REST route a verification link opens (mounted under /api/v1/auth). */
export const VERIFY_EMAIL_PATH = "/api/v1/auth/verify-email";

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

function invalidToken(): never {
  return raise("BAD_USER_INPUT", "This verification link is not valid: it was used, has expired, or was replaced by a newer one; ask for a new one", {
    reason: "token_invalid",
    fields: [{ field: "token", message: "is not a valid verification token" }],
  });
}

/**
 * E-mail verification: a mailed, single-use, expiring link proves the user receives mail at their
 * address (`User.verified_email`). Only the token's hash is stored, so a database read gives
 * nobody a working link.
 */
export class EmailVerificationService {
  constructor(
    private readonly deps: {
      users: UserService;
      mailer: Mailer;
      /** Verification mails per user (RATE_LIMITED past it). */
      requests: Quota;
      ttlSeconds: number;
      /** PUBLIC_URL; unset: the origin the request came to. */
      publicUrl?: string;
      log: Logger;
    },
  ) {}

  async ready(): Promise<void> {
    await EmailVerificationModel.init();
  }

  /**
   * Mails the user a link that verifies their current address. CONFLICT when it is verified
   * already; RATE_LIMITED past the hourly budget; SERVICE_UNAVAILABLE when the mail could not be
   * handed over: nothing is kept then and the attempt does not count against the budget, so
   * the user may simply ask again (`reason: "recipient_refused"` when the mail server refused
   * the address itself, `"mail_not_sent"` otherwise).
   */
  async request(actor: SignedIn, origin: string | undefined): Promise<boolean> {
    const user = await this.deps.users.byIdOrFail(actor._id);
    if (emailVerified(user)) raise("CONFLICT", "Your e-mail address is verified already", { reason: "email_verified" });
    await this.deps.requests.spend(String(user._id));
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + this.deps.ttlSeconds * 1000);
    const stored = await EmailVerificationModel.create({ token_hash: hash(token), user_id: user._id, email: user.email, expires_at: expiresAt });
    const base = this.deps.publicUrl ?? origin;
    const link = base ? `${base}${VERIFY_EMAIL_PATH}?token=${token}` : null;
    try {
      await this.deps.mailer.send({ to: user.email, subject: "Verify your e-mail address", text: message(user, token, link, this.deps.ttlSeconds) });
    } catch (error) {
      await EmailVerificationModel.deleteOne({ _id: stored._id }).exec();
      await this.deps.requests.refund(String(user._id));
      this.deps.log.error({ err: error, userId: String(user._id) }, "the verification mail could not be sent");
      if (error instanceof MailNotSent && error.recipientRefused) {
        raise("SERVICE_UNAVAILABLE", `The mail server refused to deliver to ${user.email}; check that the address is right`, { reason: "recipient_refused" });
      }
      raise("SERVICE_UNAVAILABLE", "The verification mail could not be sent; try again later", { reason: "mail_not_sent" });
    }
    return true;
  }

  /**
   * Verifies the address a token was mailed to, once: the token is deleted as it is used, and so
   * are the user's other outstanding links. BAD_USER_INPUT for a used, expired or unknown token,
   * or one sent to an address the account no longer has.
   */
  async verify(token: string): Promise<User> {
    const record = token ? await EmailVerificationModel.findOneAndDelete({ token_hash: hash(token) }).lean<EmailVerification>().exec() : null;
    // Expired links may outlive their time until MongoDB's TTL monitor runs: the clock decides.
    if (!record || record.expires_at.getTime() <= Date.now()) invalidToken();
    if (!(await this.deps.users.markEmailVerified(record.user_id, record.email))) {
      raise("BAD_USER_INPUT", "This link was sent to an address the account no longer has; ask for a new one", {
        reason: "email_changed",
        fields: [{ field: "token", message: "was sent to another address" }],
      });
    }
    await EmailVerificationModel.deleteMany({ user_id: record.user_id }).exec();
    return this.deps.users.byIdOrFail(record.user_id);
  }

  /** `user.deleted`: the links still waiting in their mailbox stop working. */
  async forgetUser(userId: Types.ObjectId): Promise<void> {
    await EmailVerificationModel.deleteMany({ user_id: userId }).exec();
  }
}

function message(user: User, token: string, link: string | null, ttlSeconds: number): string {
  const [amount, unit] = ttlSeconds >= 7200 ? [Math.round(ttlSeconds / 3600), "hour"] : ttlSeconds >= 120 ? [Math.round(ttlSeconds / 60), "minute"] : [ttlSeconds, "second"];
  const within = `${amount} ${unit}${amount === 1 ? "" : "s"}`;
  return [
    `Hello ${user.name},`,
    "",
    `Please confirm that you receive mail at ${user.email}${link ? " by opening this link" : ""} within ${within}:`,
    "",
    ...(link ? [link, "", "Or give this code to the `verifyEmail` mutation:"] : []),
    token,
    "",
    "If you did not ask for this, you can ignore this message.",
  ].join("\n");
}

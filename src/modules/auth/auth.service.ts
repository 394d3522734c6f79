import type { Types } from "mongoose";
import { raise } from "../../lib/errors";
import { hashPassword, verifyPassword } from "../users/password";
import type { User } from "../users/user.model";
import { normalizeEmail, type NewUser, type UserService } from "../users/user.service";
import type { Quota } from "../../lib/quota";
import type { LoginThrottle } from "./login-throttle";
import type { SessionCache } from "./session-cache";
import type { SignInSettings } from "./sign-in-settings";
import type { TokenPair, TokenService } from "./token.service";

export interface AuthPayload extends TokenPair {
  tokenType: "bearer";
  user: User;
}

/** The signed-in user of a request and the session their access token belongs to. */
export interface Viewer {
  user: User;
  sessionId: string;
}

export interface Credentials {
  email: string;
  password: string;
}

const INVALID_CREDENTIALS = "Invalid credentials";
/**
 * How recent the sign-in of a session must be for an account without a password to confirm who
 * it is (deleting the account): a stolen access token, or a session left open on a shared
 * computer, cannot do it without signing in at the provider again.
 */
export const RECENT_SIGN_IN_MINUTES = 10;
const BEARER = /^Bearer\s+(\S+)\s*$/i;

/** Sign-up, sign-in, sessions and passwords: the one implementation behind GraphQL and REST. */
export class AuthService {
  /** Compared against when the e-mail is unknown, so both failures take as long. */
  private decoyHash?: Promise<string>;

  constructor(
    private readonly deps: {
      users: UserService;
      tokens: TokenService;
      sessions: SessionCache;
      throttle: LoginThrottle;
      /** Sign-ups and sign-ins per client IP. */
      attempts: Quota;
      settings: SignInSettings;
      bcryptCost: number;
    },
  ) {}

  /**
   * A new student account, not signed in (the REST shim's register). A taken e-mail is CONFLICT
   * after the same bcrypt hash a new account costs (the insert fails after it), so the answer
   * time does not tell; the per-IP limit bounds how many addresses one caller can probe.
   */
  async signUp(input: Omit<NewUser, "role">, clientIp: string | undefined): Promise<User> {
    await this.passwordsAllowed();
    await this.deps.attempts.spend(clientIp ?? "unknown");
    const user = await this.deps.users.create(input);
    // The address that created the account is one its owner uses: strangers' failures do not lock it.
    await this.deps.throttle.succeeded(user.email, clientIp);
    return user;
  }

  /** A new student account, signed in. */
  async register(input: Omit<NewUser, "role">, clientIp: string | undefined): Promise<AuthPayload> {
    const user = await this.signUp(input, clientIp);
    return this.startSession(user);
  }

  /** Same message for an unknown e-mail and a wrong password, after about the same time. */
  async login({ email, password }: Credentials, clientIp: string | undefined): Promise<AuthPayload> {
    const key = normalizeEmail(email);
    await this.passwordsAllowed();
    await this.deps.attempts.spend(clientIp ?? "unknown");
    const attempt = await this.deps.throttle.reserve(key, clientIp);
    const found = await this.deps.users.findByEmailWithHash(key);
    const matches = await verifyPassword(password, found?.password_hash ?? (await this.decoy()), "sign-in");
    if (!found || !matches) {
      await attempt.failed();
      raise("UNAUTHENTICATED", INVALID_CREDENTIALS);
    }
    await attempt.succeeded();
    if (!found.is_active) raise("FORBIDDEN", "Account is deactivated");
    const { password_hash: _hash, ...user } = found;
    return this.startSession(user);
  }

  /** Counts one sign-in attempt against the client IP's budget (AUTH_RATE_LIMIT_*); RATE_LIMITED past it. */
  spendAttempt(clientIp: string | undefined): Promise<void> {
    return this.deps.attempts.spend(clientIp ?? "unknown");
  }

  /** A new session for a user who proved who they are (a password, or a provider's sign-in code). */
  async startSession(user: User): Promise<AuthPayload> {
    return this.payload(user, await this.deps.tokens.issue(user));
  }

  /** Exchanges a refresh token for a new pair in the same session. */
  async refresh(refreshToken: string): Promise<AuthPayload> {
    const { userId, sessionId } = await this.deps.tokens.rotate(refreshToken);
    const user = await this.deps.users.findById(userId);
    if (!user?.is_active) raise("UNAUTHENTICATED", "Invalid or expired refresh token");
    return this.payload(user, await this.deps.tokens.issue(user, sessionId));
  }

  /** Ends the refresh token's session; false when it had already ended. */
  logout(refreshToken: string): Promise<boolean> {
    return this.deps.tokens.revokeByToken(refreshToken);
  }

  async logoutAll(user: User): Promise<boolean> {
    await this.deps.tokens.revokeUser(user._id);
    return true;
  }

  /** Wrong current passwords count as failed sign-ins: a stolen access token must not guess it. */
  async changePassword(viewer: Viewer, current: string, next: string, clientIp: string | undefined): Promise<boolean> {
    const { user, sessionId } = viewer;
    const hash = await this.deps.users.passwordHash(user._id);
    if (!hash) raise("CONFLICT", "This account has no password: it signs in through a provider");
    // Counted with sign-ins: it costs the same bcrypt work.
    await this.deps.attempts.spend(clientIp ?? "unknown");
    const attempt = await this.deps.throttle.reserve(user.email, clientIp);
    if (!(await verifyPassword(current, hash, "other"))) {
      await attempt.failed();
      raise("BAD_USER_INPUT", "Current password is incorrect", {
        fields: [{ field: "currentPassword", message: "is incorrect" }],
      });
    }
    await attempt.succeeded();
    await this.deps.users.setPassword(user._id, next);
    await this.deps.tokens.revokeUser(user._id, sessionId);
    return true;
  }

  /**
   * Proves that the viewer is the account's owner before something that cannot be undone: its
   * password when it has one (a wrong one counts as a failed sign-in, as for `changePassword`),
   * else a sign-in through its provider within the last RECENT_SIGN_IN_MINUTES in this session.
   */
  async confirmOwner(viewer: Viewer, password: string | null | undefined, clientIp: string | undefined): Promise<void> {
    const { user, sessionId } = viewer;
    const hash = await this.deps.users.passwordHash(user._id);
    if (hash) {
      if (!password) {
        raise("BAD_USER_INPUT", "Type your password to confirm", { reason: "password_required", fields: [{ field: "password", message: "is required" }] });
      }
      await this.deps.attempts.spend(clientIp ?? "unknown");
      const attempt = await this.deps.throttle.reserve(user.email, clientIp);
      if (!(await verifyPassword(password, hash, "other"))) {
        await attempt.failed();
        raise("BAD_USER_INPUT", "The password is incorrect", { reason: "password_incorrect", fields: [{ field: "password", message: "is incorrect" }] });
      }
      await attempt.succeeded();
      return;
    }
    const signedInAt = await this.deps.tokens.sessionStartedAt(sessionId);
    if (!signedInAt || Date.now() - signedInAt.getTime() > RECENT_SIGN_IN_MINUTES * 60_000) {
      raise("FORBIDDEN", `This account signs in through a provider: sign in again, then confirm within ${RECENT_SIGN_IN_MINUTES} minutes`, {
        reason: "recent_sign_in_required",
        maxSignInAgeSeconds: RECENT_SIGN_IN_MINUTES * 60,
      });
    }
  }

  /**
   * The viewer for an `Authorization` value, or null when it is missing, not a valid access
   * token, of an inactive user or of an ended session. User and session are read once per
   * `SessionCache` period; ends and user changes clear it on every instance, so deactivation,
   * role changes and logouts take effect at once.
   */
  async authenticate(authorization: string | undefined): Promise<Viewer | null> {
    const token = authorization && BEARER.exec(authorization)?.[1];
    if (!token) return null;
    const claims = this.deps.tokens.verifyAccess(token);
    if (!claims) return null;
    const viewer = await this.deps.sessions.viewer(claims.sessionId, async () => {
      const [user, live] = await Promise.all([
        this.deps.users.findById(claims.userId),
        this.deps.tokens.isSessionLive(claims.sessionId, claims.userId),
      ]);
      return user?.is_active && live ? { user, sessionId: claims.sessionId } : null;
    });
    // The cache is keyed by session: a token pairing that session with another user is no one's.
    return viewer && String(viewer.user._id) === claims.userId ? viewer : null;
  }

  /** Ends every session of a user at once (their access tokens stop working): deactivation. */
  async endSessionsOf(userId: Types.ObjectId): Promise<void> {
    await this.deps.tokens.revokeUser(userId);
  }

  /** `user.deleted`: the account's sessions end everywhere (again, for a resumed deletion), then its tokens go. */
  async forgetUser(userId: Types.ObjectId): Promise<void> {
    await this.deps.tokens.revokeUser(userId);
    await this.deps.tokens.forgetUser(userId);
  }

  private async passwordsAllowed(): Promise<void> {
    if (!(await this.deps.settings.passwordSignIn())) {
      raise("FORBIDDEN", "Password sign-in is turned off; sign in with one of the providers of `signInProviders`", { reason: "password_sign_in_off" });
    }
  }

  private payload(user: User, tokens: TokenPair): AuthPayload {
    return { ...tokens, tokenType: "bearer", user };
  }

  private decoy(): Promise<string> {
    return (this.decoyHash ??= hashPassword("decoy password never matched", this.deps.bcryptCost, "sign-in"));
  }
}

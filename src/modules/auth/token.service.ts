import { createHash, createSecretKey, randomUUID, type KeyObject } from "node:crypto";
import jwt from "jsonwebtoken";
import { Types } from "mongoose";
import type { Config } from "../../config";
import { raise } from "../../lib/errors";
import type { UserRole } from "../users/user.model";
import { RefreshTokenModel } from "./refresh-token.model";

type TokenType = "access" | "refresh";

interface Claims {
  sub: string;
  type: TokenType;
  /** Session (refresh-token family) the token belongs to. */
  sid: string;
  role?: UserRole;
  /** Expiry, in seconds since the epoch. */
  exp: number;
}

/** Access tokens whose signature was checked, kept by this many at most (the oldest go first). */
const MAX_VERIFIED_TOKENS = 10_000;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

/** Who an access token speaks for. */
export interface AccessClaims {
  userId: string;
  sessionId: string;
}

/** A refresh token that was exchanged: the session continues with a new pair. */
export interface Rotation {
  userId: string;
  sessionId: string;
}

const INVALID_REFRESH = "Invalid or expired refresh token";

/** Sessions that just ended: one (`sessionId`), or every one of a user's but `exceptSessionId`. */
export type SessionRevocation = { sessionId: string } | { userId: string; exceptSessionId?: string };

declare module "../../infra/pubsub/topics" {
  interface TopicMap {
    /**
     * Published whenever sessions end (logout, reuse of a refresh token, password change,
     * deactivation): every instance closes the websockets signed in with them, whose running
     * subscriptions would otherwise keep delivering.
     */
    SESSIONS_REVOKED: [revocation: SessionRevocation];
  }
}

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Signs and checks JWTs, and keeps the server-side record of refresh tokens. */
export class TokenService {
  /** Built once: given the secret as a string, jsonwebtoken makes a new KeyObject on every call. */
  private readonly key: KeyObject;
  /**
   * Access tokens already verified, by their text: a client sends the same token on every request
   * for its lifetime, and its signature and claims cannot change, so they are checked once, not on
   * every request. Expiry is checked on every use; revocation is the session's (`isSessionLive`).
   */
  private readonly verified = new Map<string, AccessClaims & { exp: number }>();

  constructor(
    private readonly jwtConfig: Config["jwt"],
    /** Told of every revocation (the auth module publishes it); verification-only users need none. */
    private readonly revoked: (revocation: SessionRevocation) => Promise<void> = async () => undefined,
  ) {
    this.key = createSecretKey(Buffer.from(jwtConfig.secretKey, "utf8"));
  }

  async ready(): Promise<void> {
    await RefreshTokenModel.init();
  }

  /** A new pair; without `sessionId` it starts a new session (a sign-in). */
  async issue(user: { _id: Types.ObjectId; role: UserRole }, sessionId: string = randomUUID()): Promise<TokenPair> {
    const sub = String(user._id);
    const expiresIn = this.jwtConfig.accessTokenExpireMinutes * 60;
    const refreshSeconds = this.jwtConfig.refreshTokenExpireDays * 86_400;
    const accessToken = this.sign({ sub, type: "access", sid: sessionId, role: user.role }, expiresIn);
    const refreshToken = this.sign({ sub, type: "refresh", sid: sessionId }, refreshSeconds);
    await RefreshTokenModel.create({
      token_hash: tokenHash(refreshToken),
      user_id: user._id,
      family_id: sessionId,
      expires_at: new Date(Date.now() + refreshSeconds * 1000),
    });
    return { accessToken, refreshToken, expiresIn };
  }

  /** The claims of a valid access token, or null (expired, tampered, wrong type or algorithm). */
  verifyAccess(token: string): AccessClaims | null {
    const known = this.verified.get(token);
    if (known) {
      // As jsonwebtoken decides: expired from its `exp` second on.
      if (Math.floor(Date.now() / 1000) < known.exp) return { userId: known.userId, sessionId: known.sessionId };
      this.verified.delete(token);
      return null;
    }
    const claims = this.verify(token, "access");
    if (!claims) return null;
    if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { userId: claims.sub, sessionId: claims.sid, exp: claims.exp });
    return { userId: claims.sub, sessionId: claims.sid };
  }

  /**
   * Whether the session still has a refresh token that can be used: false once it was logged
   * out, revoked for reuse, a password change or deactivation, so its access tokens die with it.
   * The session must be `userId`'s: a token naming another user's session is not one of theirs.
   */
  async isSessionLive(sessionId: string, userId: string): Promise<boolean> {
    if (!Types.ObjectId.isValid(userId)) return false;
    const live = await RefreshTokenModel.exists({ family_id: sessionId, user_id: new Types.ObjectId(userId), used_at: null, revoked_at: null });
    return live !== null;
  }

  /**
   * Marks a refresh token used, once: a token presented again (a stolen copy, or the thief's
   * after the owner's) revokes its whole family, so both parties must sign in again.
   */
  async rotate(refreshToken: string): Promise<Rotation> {
    const claims = this.verify(refreshToken, "refresh") ?? raise("UNAUTHENTICATED", INVALID_REFRESH);
    const now = new Date();
    const hash = tokenHash(refreshToken);
    const claimed = await RefreshTokenModel.findOneAndUpdate(
      { token_hash: hash, used_at: null, revoked_at: null, expires_at: { $gt: now } },
      { $set: { used_at: now } },
    ).exec();
    if (claimed) return { userId: claims.sub, sessionId: claimed.family_id };
    const known = await RefreshTokenModel.findOne({ token_hash: hash }).exec();
    if (known?.used_at) {
      await this.revokeSession(known.family_id);
      raise("UNAUTHENTICATED", "Refresh token already used; the session has been revoked");
    }
    raise("UNAUTHENTICATED", INVALID_REFRESH);
  }

  /** Ends the session this refresh token belongs to; false when it had already ended. */
  async revokeByToken(refreshToken: string): Promise<boolean> {
    const claims = this.verify(refreshToken, "refresh") ?? raise("UNAUTHENTICATED", INVALID_REFRESH);
    return (await this.revokeSession(claims.sid)) > 0;
  }

  /** Ends every session of a user but `keepSessionId`; returns how many tokens were revoked. */
  async revokeUser(userId: Types.ObjectId, keepSessionId?: string): Promise<number> {
    const filter = { user_id: userId, revoked_at: null, used_at: null, ...(keepSessionId ? { family_id: { $ne: keepSessionId } } : {}) };
    const result = await RefreshTokenModel.updateMany(filter, { $set: { revoked_at: new Date() } }).exec();
    await this.revoked({ userId: String(userId), exceptSessionId: keepSessionId });
    return result.modifiedCount;
  }

  /**
   * When the session's sign-in happened: its first refresh token's issue. Tokens are deleted once
   * they expire, so for a session older than the refresh lifetime this is later than the sign-in,
   * but never recent. Null for a session without tokens.
   */
  async sessionStartedAt(sessionId: string): Promise<Date | null> {
    const first = await RefreshTokenModel.findOne({ family_id: sessionId }, { created_at: 1 }).sort({ created_at: 1 }).lean<{ created_at: Date }>().exec();
    return first?.created_at ?? null;
  }

  /** Deletes every refresh token of a deleted account, after `revokeUser` ended its sessions everywhere. */
  async forgetUser(userId: Types.ObjectId): Promise<void> {
    await RefreshTokenModel.deleteMany({ user_id: userId }).exec();
  }

  private async revokeSession(sessionId: string): Promise<number> {
    const result = await RefreshTokenModel.updateMany(
      { family_id: sessionId, revoked_at: null, used_at: null },
      { $set: { revoked_at: new Date() } },
    ).exec();
    await this.revoked({ sessionId });
    return result.modifiedCount;
  }

  private sign(claims: Omit<Claims, "exp">, expiresInSeconds: number): string {
    const { sub, ...payload } = claims;
    return jwt.sign(payload, this.key, {
      algorithm: this.jwtConfig.algorithm,
      expiresIn: expiresInSeconds,
      subject: sub,
      jwtid: randomUUID(),
    });
  }

  private verify(token: string, type: TokenType): Claims | null {
    let payload: string | jwt.JwtPayload;
    try {
      // Pinned: a token signed with another algorithm, or with none, is refused.
      payload = jwt.verify(token, this.key, { algorithms: [this.jwtConfig.algorithm] });
    } catch {
      return null;
    }
    if (typeof payload === "string" || payload.type !== type) return null;
    // jsonwebtoken accepts a token without `exp` as never expiring; every token this server signs has one.
    if (typeof payload.exp !== "number") return null;
    if (typeof payload.sub !== "string" || typeof payload.sid !== "string") return null;
    return { sub: payload.sub, type, sid: payload.sid, exp: payload.exp };
  }
}

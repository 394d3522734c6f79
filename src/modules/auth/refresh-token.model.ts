import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * One issued refresh token, kept as a SHA-256 hash. Rotation marks it used and issues the next
 * one in the same family (one family per sign-in); MongoDB deletes it once it expires.
 */
@modelOptions({ schemaOptions: { collection: "refresh_tokens", timestamps: { createdAt: "created_at", updatedAt: false } } })
@index({ token_hash: 1 }, { unique: true })
@index({ family_id: 1 })
@index({ user_id: 1 })
@index({ expires_at: 1 }, { expireAfterSeconds: 0 })
export class RefreshToken {
  @prop({ required: true })
  token_hash!: string;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  /** Shared by every token descended from one sign-in; also the access tokens' `sid` claim. */
  @prop({ required: true })
  family_id!: string;

  @prop({ required: true })
  expires_at!: Date;

  /** Set when the token was exchanged for a new pair; presenting it again is reuse. */
  @prop({ type: Date, default: null })
  used_at!: Date | null;

  /** Set by logout, logoutAll, a password change, deactivation or detected reuse. */
  @prop({ type: Date, default: null })
  revoked_at!: Date | null;
}

export const RefreshTokenModel = getModelForClass(RefreshToken);

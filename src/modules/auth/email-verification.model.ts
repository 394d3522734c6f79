import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * One outstanding e-mail verification link, kept as the SHA-256 hash of its token: using it
 * deletes it (single use), and MongoDB deletes it once it expires.
 */
@modelOptions({ schemaOptions: { collection: "email_verifications", timestamps: { createdAt: "created_at", updatedAt: false } } })
@index({ token_hash: 1 }, { unique: true })
@index({ user_id: 1 })
@index({ expires_at: 1 }, { expireAfterSeconds: 0 })
export class EmailVerification {
  @prop({ required: true })
  token_hash!: string;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  /** The address the link was sent to: it verifies that address only, not one the account has since. */
  @prop({ required: true })
  email!: string;

  @prop({ required: true })
  expires_at!: Date;
}

export const EmailVerificationModel = getModelForClass(EmailVerification);

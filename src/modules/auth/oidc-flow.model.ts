import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";

/**
 * A sign-in started at a provider and not yet come back: what the callback checks the answer
 * against. Kept by the hash of its `state`, bound to the browser that started it, used once.
 */
@modelOptions({ schemaOptions: { collection: "oidc_flows" } })
@index({ state_hash: 1 }, { unique: true })
@index({ expires_at: 1 }, { expireAfterSeconds: 0 })
export class OidcFlow {
  @prop({ required: true })
  state_hash!: string;

  /** Hash of the browser's `oidc_browser` cookie: a callback from another browser finds nothing. */
  @prop({ required: true })
  browser_hash!: string;

  @prop({ required: true })
  provider!: string;

  @prop({ required: true })
  nonce!: string;

  @prop({ required: true })
  code_verifier!: string;

  /** The allowed frontend URL the browser goes back to, with the sign-in code or the error. */
  @prop({ required: true })
  redirect_to!: string;

  @prop({ required: true })
  expires_at!: Date;
}

export const OidcFlowModel = getModelForClass(OidcFlow);

/**
 * A one-time code the callback hands the frontend in its URL instead of tokens: exchanged once,
 * within seconds, by `signInWithCode`. Kept as a SHA-256 hash.
 */
@modelOptions({ schemaOptions: { collection: "oidc_sign_in_codes" } })
@index({ code_hash: 1 }, { unique: true })
@index({ expires_at: 1 }, { expireAfterSeconds: 0 })
export class SignInCode {
  @prop({ required: true })
  code_hash!: string;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true })
  expires_at!: Date;
}

export const SignInCodeModel = getModelForClass(SignInCode);

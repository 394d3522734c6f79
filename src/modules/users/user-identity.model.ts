import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, ObjectType } from "type-graphql";

/**
 * An account at an OpenID Connect provider linked to a user: the user is found by (issuer,
 * subject) at each sign-in. One link per issuer and user, so a provider account cannot be
 * swapped for another behind its owner's back.
 */
@ObjectType({ description: "An account at a sign-in provider linked to your account." })
@modelOptions({ schemaOptions: { collection: "user_identities", timestamps: { createdAt: "linked_at", updatedAt: false } } })
@index({ issuer: 1, subject: 1 }, { unique: true })
@index({ user_id: 1, issuer: 1 }, { unique: true })
export class UserIdentity {
  @Field({ name: "id", description: "The link's id (for `unlinkIdentity`)." })
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @Field({ description: "The configured provider it was linked through (see `signInProviders`)." })
  @prop({ required: true })
  provider!: string;

  @Field({ description: "The provider's issuer URL." })
  @prop({ required: true })
  issuer!: string;

  @Field({ description: "The account's id at the provider (its `sub` claim)." })
  @prop({ required: true })
  subject!: string;

  @Field(() => String, { nullable: true, description: "The e-mail address the provider gave at the last sign-in." })
  @prop({ type: String, default: null })
  email!: string | null;

  @Field({ name: "linkedAt", description: "When it was linked." })
  readonly linked_at!: Date;

  @Field({ name: "lastSignInAt", description: "When it was last used to sign in." })
  @prop({ required: true, default: () => new Date() })
  last_sign_in_at!: Date;
}

export const UserIdentityModel = getModelForClass(UserIdentity);

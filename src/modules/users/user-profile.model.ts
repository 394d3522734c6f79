import { getModelForClass, modelOptions, prop, Severity } from "@typegoose/typegoose";
import { GraphQLJSONObject } from "graphql-scalars";
import { Types } from "mongoose";
import { Field, ObjectType } from "type-graphql";

/** Free-form client settings (theme, language, ...): the API stores them and never reads them. */
export type Preferences = Record<string, unknown>;

@ObjectType({ description: "What a user tells others and the app about themselves." })
@modelOptions({
  schemaOptions: {
    collection: "user_profiles",
    // Keep `preferences: {}` as saved rather than dropping the empty object.
    minimize: false,
    timestamps: { createdAt: "created_at", updatedAt: "updated_at" },
  },
  options: { allowMixed: Severity.ALLOW },
})
export class UserProfile {
  /** One profile per user. */
  @prop({ required: true, unique: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @Field(() => String, { name: "avatarUrl", nullable: true, description: "Link to the user's picture." })
  @prop({ type: String, default: null })
  avatar_url!: string | null;

  @Field(() => String, { nullable: true, description: "A few words about the user." })
  @prop({ type: String, default: null })
  bio!: string | null;

  @Field(() => GraphQLJSONObject, { description: "Client settings as a JSON object; empty until set." })
  @prop({ type: Object, default: () => ({}) })
  preferences!: Preferences;
}

export const UserProfileModel = getModelForClass(UserProfile);

/** What `User.profile` shows for a user who never saved one. */
export function emptyProfile(userId: Types.ObjectId): UserProfile {
  return { user_id: userId, avatar_url: null, bio: null, preferences: {} };
}

import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, ObjectType, registerEnumType } from "type-graphql";
import { UserRole } from "../../lib/identity";

export { UserRole };

declare module "../../lib/identity" {
  /** A signed-in user is a whole `User` document (the viewer is read from `users`). */
  interface SignedIn extends User {}
}

registerEnumType(UserRole, {
  name: "UserRole",
  description: "What a user may do: learn, author courses, or manage the platform.",
  valuesConfig: {
    STUDENT: { description: "Takes courses, chats with the tutor, takes quizzes." },
    INSTRUCTOR: { description: "A student who also authors courses." },
    ADMIN: { description: "Manages users and everything else." },
  },
});

@ObjectType({ description: "A person with an account." })
@modelOptions({
  schemaOptions: { collection: "users", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } },
})
@index({ email: 1 }, { unique: true })
@index({ role: 1, is_active: 1 })
@index({ created_at: -1, _id: -1 })
export class User {
  @Field({ name: "id", description: "The user's id." })
  readonly _id!: Types.ObjectId;

  @Field({ description: "Sign-in e-mail address, lower-cased; unique across users." })
  @prop({ required: true, lowercase: true, trim: true })
  email!: string;

  /**
   * bcrypt hash; never selected unless asked for (hence optional here), never a GraphQL field.
   * Absent for an account created by a sign-in provider.
   */
  @prop({ type: String, select: false })
  password_hash?: string;

  /**
   * The address the user proved they receive mail at (a verification link, or a sign-in provider
   * that says so). The e-mail is verified while it equals `email`: an address changed by any
   * means is unverified until proven again.
   */
  @prop({ type: String })
  verified_email?: string;

  @Field({ description: "Display name." })
  @prop({ required: true, trim: true })
  name!: string;

  @Field(() => UserRole, { description: "What the user may do." })
  @prop({ required: true, enum: UserRole, type: String, default: UserRole.STUDENT })
  role!: UserRole;

  @Field({ name: "isActive", description: "False once an admin deactivates the account: it can no longer sign in or use its tokens." })
  @prop({ required: true, default: true })
  is_active!: boolean;

  /**
   * When the user got their first study schedule (the study module sets it once): the dashboard
   * reads due cards only for users who have one, so everyone else's dashboard costs nothing more.
   */
  @prop({ type: Date })
  studying_since?: Date;

  /**
   * The classes the user belongs to, kept by the classes module beside its roster: the viewer
   * carries them, so every "may read" rule sees class shares without another read. A change is a
   * `user.changed`, so every instance reads the viewer again at once.
   */
  @prop({ type: () => [Types.ObjectId], default: () => [] })
  class_ids?: Types.ObjectId[];

  /**
   * Set when the account's deletion began (`deleteAccount`, `deleteUser`); it is inactive from
   * then on, and the document goes last, once every domain removed what hangs off it. An account
   * found with it at start-up is deleted to the end (docs/api-and-errors.md, "Deleting an account").
   */
  @prop({ type: Date })
  deleting_at?: Date;

  @Field({ name: "createdAt", description: "When the account was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the account last changed." })
  readonly updated_at!: Date;
}

export const UserModel = getModelForClass(User);

/** Whether the user proved they receive mail at their current address. */
export function emailVerified(user: Pick<User, "email" | "verified_email">): boolean {
  return user.verified_email !== undefined && user.verified_email === user.email;
}

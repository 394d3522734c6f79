import { getModelForClass, index, modelOptions, prop } from "@typegoose/typegoose";
import { Types } from "mongoose";
import { Field, ObjectType, registerEnumType } from "type-graphql";
import { PageOf } from "../../lib/pagination";

/** A member's part in one class. */
export enum ClassRole {
  TEACHER = "TEACHER",
  TA = "TA",
  STUDENT = "STUDENT",
}
registerEnumType(ClassRole, {
  name: "ClassRole",
  description: "A member's part in a class.",
  valuesConfig: {
    TEACHER: { description: "Runs the class: its settings, roster, sharing and assignments." },
    TA: { description: "Helps: sees the roster with e-mail addresses, the gradebook and the live activity." },
    STUDENT: { description: "Takes part: sees the class, its roster (names only), assignments and leaderboard." },
  },
});

/** The limits of a class's fields: the inputs validate them, the services rely on them. */
export const CLASS_NAME_MAX_LENGTH = 200;
export const CLASS_DESCRIPTION_MAX_LENGTH = 2000;
export const MAX_INVITATIONS_PER_CALL = 100;

@ObjectType({ description: "A class: a teacher's group of students with a roster, shared material and assignments." })
@modelOptions({ schemaOptions: { collection: "classes", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } } })
@index({ join_code: 1 }, { unique: true, partialFilterExpression: { join_code: { $type: "string" } } })
export class Class {
  @Field({ name: "id", description: "The class's id." })
  readonly _id!: Types.ObjectId;

  @Field({ description: `Name, 1 to ${CLASS_NAME_MAX_LENGTH} characters.` })
  @prop({ required: true, trim: true })
  name!: string;

  @Field({ description: "What the class is; may be empty." })
  @prop({ type: String, default: "" })
  description!: string;

  @Field({ name: "termStartsAt", nullable: true, description: "When the term begins, if set." })
  @prop({ type: Date })
  term_starts_at?: Date;

  @Field({ name: "termEndsAt", nullable: true, description: "When the term ends, if set." })
  @prop({ type: Date })
  term_ends_at?: Date;

  /** Who created it (its first teacher); unset once that account is deleted. */
  @prop({ type: () => Types.ObjectId })
  owner_id?: Types.ObjectId;

  @Field({ name: "archivedAt", nullable: true, description: "When the class was archived: read-only from then on, still visible to its members." })
  @prop({ type: Date })
  archived_at?: Date;

  /** The current join code; absent while joining by code is switched off. */
  @prop({ type: String })
  join_code?: string;

  @prop({ type: Date })
  join_code_expires_at?: Date;

  /** Codes replaced by a rotation, so that one of them is refused with a reason rather than "unknown". */
  @prop({ type: () => [String], default: () => [] })
  retired_codes!: string[];

  @Field({ name: "createdAt", description: "When the class was created." })
  readonly created_at!: Date;

  @Field({ name: "updatedAt", description: "When the class's own fields last changed." })
  readonly updated_at!: Date;
}

export const ClassModel = getModelForClass(Class);

@ObjectType({ description: "A page of classes." })
export class ClassPage extends PageOf(Class) {}

/** One user's membership of one class (`class_members`); users.class_ids mirrors it for the access rules. */
@modelOptions({ schemaOptions: { collection: "class_members", timestamps: { createdAt: "joined_at", updatedAt: false } } })
@index({ class_id: 1, user_id: 1 }, { unique: true })
@index({ class_id: 1, role: 1, joined_at: 1 })
@index({ user_id: 1, joined_at: -1 })
export class ClassMember {
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  class_id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  user_id!: Types.ObjectId;

  @prop({ required: true, enum: ClassRole, type: String })
  role!: ClassRole;

  readonly joined_at!: Date;
}

export const ClassMemberModel = getModelForClass(ClassMember);

export enum InvitationStatus {
  PENDING = "PENDING",
  ACCEPTED = "ACCEPTED",
  DECLINED = "DECLINED",
}
registerEnumType(InvitationStatus, { name: "InvitationStatus", description: "Where an invitation to a class stands." });

@ObjectType({ description: "An invitation to a class, waiting for the account with its e-mail address." })
@modelOptions({ schemaOptions: { collection: "class_invitations", timestamps: { createdAt: "created_at", updatedAt: "updated_at" } } })
@index({ class_id: 1, email: 1 }, { unique: true })
@index({ email: 1, status: 1 })
export class ClassInvitation {
  @Field({ name: "id", description: "The invitation's id." })
  readonly _id!: Types.ObjectId;

  @prop({ required: true, type: () => Types.ObjectId })
  class_id!: Types.ObjectId;

  /** Invitations are read by the class's teachers and TAs and by the invitee only. */
  @Field({ description: "The address invited, lower-cased." })
  @prop({ required: true, lowercase: true, trim: true })
  email!: string;

  @Field(() => ClassRole, { description: "The role the invitee gets on accepting." })
  @prop({ required: true, enum: ClassRole, type: String })
  role!: ClassRole;

  @Field(() => InvitationStatus, { description: "Pending until accepted or declined." })
  @prop({ required: true, enum: InvitationStatus, type: String, default: InvitationStatus.PENDING })
  status!: InvitationStatus;

  /** Unset once the inviting account is deleted. */
  @prop({ type: () => Types.ObjectId })
  invited_by?: Types.ObjectId;

  @Field({ name: "createdAt", description: "When the invitation was sent." })
  readonly created_at!: Date;
}

export const ClassInvitationModel = getModelForClass(ClassInvitation);

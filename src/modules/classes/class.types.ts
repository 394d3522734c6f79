import type { Types } from "mongoose";
import { Field, ObjectType } from "type-graphql";
import { IdScalar } from "../../lib/scalars";
import { PageOf } from "../../lib/pagination";
import { ClassRole } from "./class.model";

@ObjectType({ description: "One member on a class's roster. E-mail addresses are shown to the class's teachers and TAs only." })
export class RosterEntry {
  @Field(() => IdScalar, { name: "userId", description: "The member's user id." })
  userId!: Types.ObjectId;

  @Field({ description: "Display name." })
  name!: string;

  @Field(() => String, { name: "avatarUrl", nullable: true, description: "Avatar from their profile, if any." })
  avatarUrl!: string | null;

  @Field(() => String, { nullable: true, description: "Sign-in e-mail address: for teachers and TAs; null for everyone else." })
  email!: string | null;

  @Field(() => ClassRole, { description: "Their role in the class." })
  role!: ClassRole;

  @Field({ name: "joinedAt", description: "When they joined." })
  joinedAt!: Date;
}

@ObjectType({ description: "A page of a roster." })
export class RosterPage extends PageOf(RosterEntry) {}

@ObjectType({ description: "How students join by code; seen by teachers and TAs." })
export class JoinCode {
  @Field(() => String, { nullable: true, description: "The current code; null while joining by code is switched off." })
  code!: string | null;

  @Field({ description: "Whether the code works now (set, and not expired)." })
  active!: boolean;

  @Field(() => Date, { name: "expiresAt", nullable: true, description: "When the code stops working, if it expires." })
  expiresAt!: Date | null;
}

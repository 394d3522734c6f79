import { IsOptional } from "class-validator";
import type { Types } from "mongoose";
import { ArgsType, Field, InputType, ObjectType, registerEnumType } from "type-graphql";
import { GrantRole } from "../../lib/grants";
import { IdScalar } from "../../lib/scalars";
import { UserSummary } from "../users/user-summary";

export enum SharedKind {
  COURSE = "COURSE",
  QUIZ = "QUIZ",
  DECK = "DECK",
}
registerEnumType(SharedKind, { name: "SharedKind", description: "What kind of thing is shared or assigned." });

registerEnumType(GrantRole, {
  name: "ShareRole",
  description: "What a share gives.",
  valuesConfig: {
    VIEWER: { description: "Read it (study, take, chat with and search it)." },
    EDITOR: { description: "Read and change it, as a co-author (a quiz's keys included)." },
  },
});

@InputType({ description: "Something to share, and with whom: a class you teach (every member) or one user." })
export class ShareInput {
  @Field(() => SharedKind, { description: "What kind of thing `id` is." })
  kind!: SharedKind;

  @Field(() => IdScalar, { description: "The course, quiz or personal deck." })
  id!: string;

  @Field(() => IdScalar, { name: "classId", nullable: true, description: "Share with every member of this class (one you teach)." })
  @IsOptional()
  classId?: string | null;

  @Field(() => IdScalar, { name: "userId", nullable: true, description: "Share with this user." })
  @IsOptional()
  userId?: string | null;

  @Field(() => GrantRole, { description: "VIEWER (read) or EDITOR (co-author); ignored by `unshare`." })
  role: GrantRole = GrantRole.VIEWER;
}

@ArgsType()
export class SharesArgs {
  @Field(() => SharedKind, { description: "What kind of thing `id` is." })
  kind!: SharedKind;

  @Field(() => IdScalar, { description: "The course, quiz or personal deck (one you may share)." })
  id!: string;
}

@ObjectType({ description: "A class something is shared with: its id and name, whether or not you belong to it." })
export class SharedClass {
  @Field(() => IdScalar, { name: "id", description: "The class's id (for `unshare`)." })
  _id!: Types.ObjectId;

  @Field({ description: "The class's name." })
  name!: string;
}

@ObjectType({ description: "One current share: with a class (every member) or with one user, and what it gives." })
export class ShareEntry {
  @Field(() => GrantRole, { description: "VIEWER (read) or EDITOR (co-author)." })
  role!: GrantRole;

  @Field(() => SharedClass, { name: "class", nullable: true, description: "The class shared with; null for a share with a user." })
  class!: SharedClass | null;

  @Field(() => UserSummary, { nullable: true, description: "The user shared with (name, never the e-mail address); null for a share with a class." })
  user!: UserSummary | null;
}

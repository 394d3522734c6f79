import { IsOptional } from "class-validator";
import { Field, InputType, registerEnumType } from "type-graphql";
import { GrantRole } from "../../lib/grants";
import { IdScalar } from "../../lib/scalars";

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

import { IsOptional, MaxLength } from "class-validator";
import { ArgsType, Field } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { UserRole } from "../users/user.model";

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field(() => UserRole, { nullable: true, description: "Only users with this role." })
  role?: UserRole;

  @Field(() => Boolean, { nullable: true, description: "Only active (true) or deactivated (false) users." })
  isActive?: boolean;

  @Field(() => String, { nullable: true, description: "Only users whose name or e-mail contains this text (any case)." })
  @IsOptional()
  @MaxLength(100)
  search?: string;
}

@ArgsType()
export class UserIdArgs {
  @Field(() => IdScalar, { description: "The user's id." })
  userId!: string;
}

@ArgsType()
export class SetUserRoleArgs extends UserIdArgs {
  @Field(() => UserRole, { description: "The new role." })
  role!: UserRole;
}

@ArgsType()
export class SetUserActiveArgs extends UserIdArgs {
  @Field({ description: "False deactivates the account and ends its sessions; true reactivates it." })
  active!: boolean;
}

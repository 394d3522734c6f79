import { IsOptional, IsString, MaxLength } from "class-validator";
import { ArgsType, Field } from "type-graphql";
import { PASSWORD_MAX_LENGTH } from "../../lib/password-limits";
import { IdScalar } from "../../lib/scalars";
import { RECENT_SIGN_IN_MINUTES } from "../auth/auth.service";

@ArgsType()
export class DeleteAccountArgs {
  @Field(() => String, {
    nullable: true,
    description: `Your password, required when the account has one. An account that signs in only through a provider leaves it out and confirms by having signed in within the last ${RECENT_SIGN_IN_MINUTES} minutes.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string | null;
}

@ArgsType()
export class DeleteUserArgs {
  @Field(() => IdScalar, { description: "The account to delete." })
  userId!: string;
}

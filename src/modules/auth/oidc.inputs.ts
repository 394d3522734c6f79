import { IsString, MaxLength } from "class-validator";
import { ArgsType, Field } from "type-graphql";

@ArgsType()
export class SignInCodeArgs {
  @Field({ description: "The `sign_in_code` the callback put in your redirect_to URL." })
  @IsString()
  @MaxLength(256)
  code!: string;
}

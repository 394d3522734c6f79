import { IsEmail, IsString, Length, Matches, MaxLength, MinLength } from "class-validator";
import { ArgsType, Field, InputType } from "type-graphql";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../lib/password-limits";
import { NAME_MAX_LENGTH } from "../users/user.inputs";
import { NOT_BLANK } from "../../lib/validation";

const EMAIL_MAX_LENGTH = 254;
// Refresh tokens are short JWTs; anything far longer is not one.
const TOKEN_MAX_LENGTH = 4096;

const passwordRule = `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`;

@InputType({ description: "A new account." })
export class RegisterInput {
  @Field({ description: `Display name (1 to ${NAME_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, NAME_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  name!: string;

  @Field({ description: "E-mail address used to sign in; compared without regard to case." })
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Field({ description: `Password, ${passwordRule}.` })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

@InputType({ description: "Credentials to sign in with." })
export class LoginInput {
  @Field({ description: "The account's e-mail address (any case)." })
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @Field({ description: "The account's password." })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

@ArgsType()
export class RefreshTokenArgs {
  @Field({ description: "A refresh token from an AuthPayload." })
  @IsString()
  @MaxLength(TOKEN_MAX_LENGTH)
  refreshToken!: string;
}

@ArgsType()
export class ChangePasswordArgs {
  @Field({ description: "Your current password." })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @Field({ description: `The new password, ${passwordRule}.` })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

@ArgsType()
export class VerifyEmailArgs {
  @Field({ description: "The code from the verification mail (the `token` of its link)." })
  @IsString()
  @Length(1, 200)
  token!: string;
}

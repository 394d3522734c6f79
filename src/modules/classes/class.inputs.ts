import { ArrayMaxSize, ArrayMinSize, IsOptional, IsString, Length, Matches, MaxLength } from "class-validator";
import { ArgsType, Field, InputType } from "type-graphql";
import { PageArgs } from "../../lib/pagination";
import { EmailAddressScalar, IdScalar } from "../../lib/scalars";
import { NOT_BLANK } from "../../lib/validation";
import { CLASS_DESCRIPTION_MAX_LENGTH, CLASS_NAME_MAX_LENGTH, ClassRole, MAX_INVITATIONS_PER_CALL } from "./class.model";

@InputType({ description: "A new class; you become its teacher, and it gets a join code at once." })
export class CreateClassInput {
  @Field({ description: `Name (1 to ${CLASS_NAME_MAX_LENGTH} characters).` })
  @IsString()
  @Length(1, CLASS_NAME_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  name!: string;

  @Field(() => String, { nullable: true, description: `What the class is (up to ${CLASS_DESCRIPTION_MAX_LENGTH} characters).` })
  @IsOptional()
  @IsString()
  @MaxLength(CLASS_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @Field(() => Date, { name: "termStartsAt", nullable: true, description: "When the term begins." })
  termStartsAt?: Date | null;

  @Field(() => Date, { name: "termEndsAt", nullable: true, description: "When the term ends; after `termStartsAt`." })
  termEndsAt?: Date | null;
}

@InputType({ description: "Changes to a class; fields left out stay as they are, null clears a term date." })
export class UpdateClassInput {
  @Field(() => String, { nullable: true, description: `New name (1 to ${CLASS_NAME_MAX_LENGTH} characters).` })
  @IsOptional()
  @IsString()
  @Length(1, CLASS_NAME_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  name?: string | null;

  @Field(() => String, { nullable: true, description: `New description (up to ${CLASS_DESCRIPTION_MAX_LENGTH} characters).` })
  @IsOptional()
  @IsString()
  @MaxLength(CLASS_DESCRIPTION_MAX_LENGTH)
  description?: string | null;

  @Field(() => Date, { name: "termStartsAt", nullable: true, description: "When the term begins." })
  termStartsAt?: Date | null;

  @Field(() => Date, { name: "termEndsAt", nullable: true, description: "When the term ends." })
  termEndsAt?: Date | null;
}

@ArgsType()
export class ClassIdArgs {
  @Field(() => IdScalar, { name: "classId", description: "The class." })
  classId!: string;
}

@ArgsType()
export class ClassByIdArgs {
  @Field(() => IdScalar, { description: "The class's id." })
  id!: string;
}

@ArgsType()
export class MyClassesArgs extends PageArgs {
  @Field({ name: "includeArchived", description: "Whether archived classes are listed too." })
  includeArchived: boolean = false;
}

@ArgsType()
export class RosterArgs extends PageArgs {
  @Field(() => ClassRole, { nullable: true, description: "Only members with this role." })
  role?: ClassRole | null;
}

@ArgsType()
export class InviteArgs extends ClassIdArgs {
  @Field(() => [EmailAddressScalar], { description: `Addresses to invite (1 to ${MAX_INVITATIONS_PER_CALL}).` })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_INVITATIONS_PER_CALL)
  emails!: string[];

  @Field(() => ClassRole, { description: "The role they get on accepting." })
  role: ClassRole = ClassRole.STUDENT;
}

@ArgsType()
export class JoinCodeArgs extends ClassIdArgs {
  @Field(() => Date, { name: "expiresAt", nullable: true, description: "When the new code stops working; never when left out." })
  expiresAt?: Date | null;
}

@ArgsType()
export class MemberArgs extends ClassIdArgs {
  @Field(() => IdScalar, { name: "userId", description: "The member." })
  userId!: string;
}

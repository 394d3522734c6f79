import { IsObject, IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateBy, ValidateIf } from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, InputType } from "type-graphql";
import type { Preferences } from "./user-profile.model";
import { NOT_BLANK } from "../../lib/validation";

export const NAME_MAX_LENGTH = 100;
const BIO_MAX_LENGTH = 1000;
const URL_MAX_LENGTH = 2048;
const PREFERENCES_MAX_BYTES = 16 * 1024;
/** Client settings need a few levels; thousands overflowed the stack of whatever walked them next. */
const PREFERENCES_MAX_DEPTH = 20;

/** Names must show something: at least one character that is not white space. */

function MaxJsonSize(bytes: number) {
  return ValidateBy({
    name: "maxJsonSize",
    validator: {
      validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? "") <= bytes,
      defaultMessage: () => `preferences must be at most ${bytes} bytes of JSON`,
    },
  });
}

/** How deep `value` nests, counted without recursion so that depth itself cannot overflow the stack. */
function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function MaxJsonDepth(levels: number) {
  return ValidateBy({
    name: "maxJsonDepth",
    validator: {
      validate: (value: unknown) => jsonDepth(value) <= levels,
      defaultMessage: () => `preferences must not nest deeper than ${levels} levels`,
    },
  });
}

@InputType({ description: "Changes to your account and profile; fields left out stay as they are." })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: `New display name (1 to ${NAME_MAX_LENGTH} characters).` })
  @ValidateIf((input: UpdateProfileInput) => input.name !== undefined)
  @IsString()
  @Length(1, NAME_MAX_LENGTH)
  @Matches(NOT_BLANK, { message: "name must not be blank" })
  name?: string;

  @Field(() => String, { nullable: true, description: `A few words about you (up to ${BIO_MAX_LENGTH} characters); null clears it.` })
  @IsOptional()
  @MaxLength(BIO_MAX_LENGTH)
  bio?: string | null;

  @Field(() => String, { nullable: true, description: "An http(s) link to your picture; null clears it." })
  @IsOptional()
  @IsUrl({ protocols: ["http", "https"], require_protocol: true })
  @MaxLength(URL_MAX_LENGTH)
  avatarUrl?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: "Client settings; replaces the stored object (up to 16 KiB of JSON)." })
  @ValidateIf((input: UpdateProfileInput) => input.preferences !== undefined)
  @IsObject()
  @MaxJsonDepth(PREFERENCES_MAX_DEPTH)
  @MaxJsonSize(PREFERENCES_MAX_BYTES)
  preferences?: Preferences;
}

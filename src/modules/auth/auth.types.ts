import { Field, Int, ObjectType } from "type-graphql";
import { User } from "../users/user.model";
import type { AuthPayload as Payload } from "./auth.service";

@ObjectType({ description: "Tokens for a session, and the user they belong to." })
export class AuthPayload implements Payload {
  @Field({ description: "Send as `Authorization: Bearer <accessToken>` (HTTP) or the `authorization` connection parameter (websockets)." })
  accessToken!: string;

  @Field({ description: "Exchange with `refreshToken` for a new pair before the access token expires; each works once." })
  refreshToken!: string;

  @Field(() => String, { description: 'Always "bearer".' })
  tokenType!: "bearer";

  @Field(() => Int, { description: "Seconds until the access token expires." })
  expiresIn!: number;

  @Field(() => User, { description: "The signed-in user." })
  user!: User;
}

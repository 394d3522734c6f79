import { Length, MaxLength } from "class-validator";
import { ArgsType, Field } from "type-graphql";

@ArgsType()
export class PingChannelArgs {
  @Field({ description: "Channel name; pick a random one so that only your pings reach you." })
  @Length(1, 128)
  channel!: string;
}

@ArgsType()
export class PingArgs extends PingChannelArgs {
  @Field({ description: "Text carried to the subscribers (up to 280 characters)." })
  @MaxLength(280)
  message: string = "pong";
}

import { Args, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { Context } from "../../lib/context";
import { signedInActor } from "../../lib/identity";
import { User } from "../users/user.model";
import { VerifyEmailArgs } from "./auth.inputs";

@Resolver()
export class EmailVerificationResolver {
  @Authorized()
  @Mutation(() => Boolean, {
    description:
      "Mails you a single-use link (and code) that verifies your e-mail address; a newer mail does not end older links. CONFLICT when it is verified already; RATE_LIMITED past a few an hour; SERVICE_UNAVAILABLE when the mail could not be sent (nothing changes, ask again).",
  })
  async requestEmailVerification(@Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.emailVerification.request(await signedInActor(ctx), ctx.origin);
  }

  @Mutation(() => User, {
    description:
      "Verifies the address a verification mail was sent to, with its code: no sign-in needed (the code is the proof). Returns the account. BAD_USER_INPUT for a used, expired or unknown code.",
  })
  verifyEmail(@Args() { token }: VerifyEmailArgs, @Ctx() ctx: Context): Promise<User> {
    return ctx.services.emailVerification.verify(token);
  }
}

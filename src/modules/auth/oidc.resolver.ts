import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { CurrentUser } from "../../lib/current-user";
import type { Context } from "../../lib/context";
import { IdScalar } from "../../lib/scalars";
import type { User } from "../users/user.model";
import { AuthPayload } from "./auth.types";
import { SignInCodeArgs } from "./oidc.inputs";
import { SignInOptions } from "./oidc.types";

@Resolver()
export class OidcResolver {
  @Query(() => SignInOptions, { description: "How users may sign in: password sign-in on or off, and the configured providers. Public." })
  async signInProviders(@Ctx() ctx: Context): Promise<SignInOptions> {
    return { password: await ctx.services.oidc.passwordSignIn(), providers: ctx.services.oidc.providers() };
  }

  @Mutation(() => AuthPayload, {
    description:
      "Exchanges the one-time `sign_in_code` of a provider sign-in for a session, as `login` gives. Works once, for a short time; UNAUTHENTICATED otherwise.",
  })
  signInWithCode(@Args() { code }: SignInCodeArgs, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.oidc.exchangeCode(code);
  }

  @Authorized()
  @Mutation(() => Boolean, {
    description: "Unlinks one of your provider identities. NOT_FOUND if it is not yours; CONFLICT if it is your last way to sign in.",
  })
  unlinkIdentity(
    @Arg("id", () => IdScalar, { description: "The identity's id (`me { identities { id } }`)." }) id: string,
    @CurrentUser() user: User,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.oidc.unlink(user, id);
  }

  @Authorized("ADMIN")
  @Mutation(() => Boolean, {
    description:
      "Turns e-mail and password sign-in and sign-up on or off for everyone; returns the new state. Off needs a configured provider and one linked to your own account (CONFLICT otherwise).",
  })
  setPasswordSignIn(
    @Arg("enabled", { description: "true: on; false: off." }) enabled: boolean,
    @CurrentUser() user: User,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.oidc.setPasswordSignIn(user, enabled);
  }
}

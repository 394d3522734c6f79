import { Arg, Args, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import type { User } from "../users/user.model";
import { ChangePasswordArgs, LoginInput, RefreshTokenArgs, RegisterInput } from "./auth.inputs";
import { AuthPayload } from "./auth.types";
import { CurrentUser, CurrentViewer } from "../../lib/current-user";
import type { Context } from "../../lib/context";
import type { Viewer } from "../../lib/identity";

@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: "Creates a student account and signs it in. CONFLICT if the e-mail is taken; RATE_LIMITED past the per-address sign-up limit." })
  register(@Arg("input", () => RegisterInput, { description: "The new account." }) input: RegisterInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.register(input, ctx.clientIp);
  }

  @Mutation(() => AuthPayload, {
    description: "Signs in. UNAUTHENTICATED on wrong credentials; RATE_LIMITED (with retryAfterSeconds) after repeated failures.",
  })
  login(@Arg("input", () => LoginInput, { description: "E-mail and password." }) input: LoginInput, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.login(input, ctx.clientIp);
  }

  @Mutation(() => AuthPayload, {
    description: "Exchanges a refresh token for a new pair; the old one stops working, and using it again ends the session.",
  })
  refreshToken(@Args() { refreshToken }: RefreshTokenArgs, @Ctx() ctx: Context): Promise<AuthPayload> {
    return ctx.services.auth.refresh(refreshToken);
  }

  @Mutation(() => Boolean, { description: "Ends the refresh token's session; false if it had already ended." })
  logout(@Args() { refreshToken }: RefreshTokenArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logout(refreshToken);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Ends every session of the signed-in user (refresh tokens stop working)." })
  logoutAll(@CurrentUser() user: User, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.auth.logoutAll(user);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Changes your password and ends your other sessions (this one continues)." })
  changePassword(
    @Args() { currentPassword, newPassword }: ChangePasswordArgs,
    @CurrentViewer() viewer: Viewer,
    @Ctx() ctx: Context,
  ): Promise<boolean> {
    return ctx.services.auth.changePassword(viewer, currentPassword, newPassword, ctx.clientIp);
  }
}

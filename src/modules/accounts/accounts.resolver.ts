import { Args, Authorized, Ctx, Mutation, Resolver } from "type-graphql";
import { CurrentViewer } from "../../lib/current-user";
import type { Context } from "../../lib/context";
import type { Viewer } from "../../lib/identity";
import { RECENT_SIGN_IN_MINUTES } from "../auth/auth.service";
import { DeleteAccountArgs, DeleteUserArgs } from "./accounts.inputs";

@Resolver()
export class AccountsResolver {
  @Authorized()
  @Mutation(() => Boolean, {
    description: `Deletes your account and everything that is yours (courses, uploads, chats, quiz attempts, progress, decks and reviews, class memberships, profile): every session ends at once, on every instance. Needs your password (BAD_USER_INPUT, \`reason\` password_required or password_incorrect); an account without one must have signed in within the last ${RECENT_SIGN_IN_MINUTES} minutes (FORBIDDEN, \`reason: "recent_sign_in_required"\`). The last active admin cannot (CONFLICT, \`reason: "last_admin"\`). Cannot be undone.`,
  })
  deleteAccount(@Args() { password }: DeleteAccountArgs, @CurrentViewer() viewer: Viewer, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accountDeletion.deleteOwn(viewer, password, ctx.clientIp);
  }

  @Authorized("ADMIN")
  @Mutation(() => Boolean, {
    description:
      "Admins only: deletes an account as `deleteAccount` does, without its password; also finishes a deletion that was cut short. NOT_FOUND for an unknown id; the last active admin cannot be deleted (CONFLICT, `reason: \"last_admin\"`).",
  })
  deleteUser(@Args() { userId }: DeleteUserArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.accountDeletion.deleteUser(userId);
  }
}

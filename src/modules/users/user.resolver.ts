import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { CurrentUser } from "../../lib/current-user";
import { raise } from "../../lib/errors";
import { actorOf, isAdmin } from "../../lib/identity";
import { UpdateProfileInput } from "./user.inputs";
import { UserIdentity } from "./user-identity.model";
import { identitiesLoader, profileLoader } from "./user.loaders";
import { UserProfile } from "./user-profile.model";
import { emailVerified, User } from "./user.model";
import type { Context } from "../../lib/context";

@Resolver(() => User)
export class UserResolver {
  @Authorized()
  @Query(() => User, { description: "The signed-in user." })
  me(@CurrentUser() user: User): User {
    return user;
  }

  @Authorized()
  @Mutation(() => User, { description: "Changes your name and profile; returns your updated account." })
  updateProfile(
    @Arg("input", () => UpdateProfileInput, { description: "The fields to change." }) input: UpdateProfileInput,
    @CurrentUser() user: User,
    @Ctx() ctx: Context,
  ): Promise<User> {
    return ctx.services.users.updateProfile(user._id, input);
  }

  @FieldResolver(() => Boolean, {
    name: "emailVerified",
    description: "Whether the account proved it receives mail at `email` (`requestEmailVerification`, or a sign-in provider that says so); class invitations wait for it.",
  })
  emailVerified(@Root() user: User): boolean {
    return emailVerified(user);
  }

  @FieldResolver(() => UserProfile, { description: "Avatar, bio and preferences; empty until the user sets them." })
  profile(@Root() user: User, @Ctx() ctx: Context): Promise<UserProfile> {
    return profileLoader(ctx).load(user._id);
  }

  @FieldResolver(() => [UserIdentity], {
    description: "Accounts at sign-in providers linked to this account, oldest first: readable by the user and admins only.",
  })
  async identities(@Root() user: User, @Ctx() ctx: Context): Promise<UserIdentity[]> {
    const actor = await actorOf(ctx);
    if (!actor || (!actor._id.equals(user._id) && !isAdmin(actor))) raise("FORBIDDEN", "Only the account's owner and admins see its linked identities");
    return identitiesLoader(ctx).load(user._id);
  }
}

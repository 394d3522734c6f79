import { Arg, Args, Authorized, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Subscription } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import type { Context } from "../../lib/context";
import { raise } from "../../lib/errors";
import { signedInActor } from "../../lib/identity";
import type { Page } from "../../lib/pagination";
import { IdScalar } from "../../lib/scalars";
import { validArgs } from "../../lib/validation";
import { ClassActivityEvent, toActivityEvent, type ClassActivityPayload } from "./class-activity";
import { ClassIdArgs, ClassByIdArgs, CreateClassInput, InviteArgs, JoinCodeArgs, MemberArgs, MyClassesArgs, RosterArgs, UpdateClassInput } from "./class.inputs";
import { classAccess } from "./class.loaders";
import { Class, ClassInvitation, ClassPage, ClassRole } from "./class.model";
import { classNotFound, type ClassAccess } from "./class.service";
import { JoinCode, RosterPage, type RosterEntry } from "./class.types";
import { ShareEntry, ShareInput, SharesArgs } from "./sharing.types";

async function accessOf(ctx: Context, cls: Class): Promise<ClassAccess> {
  return (await classAccess(ctx, cls._id)) ?? classNotFound();
}

async function staffOf(ctx: Context, cls: Class): Promise<ClassAccess> {
  const access = await accessOf(ctx, cls);
  if (!access.staff) raise("FORBIDDEN", "Only the class's teachers and TAs may see this");
  return access;
}

@Resolver(() => Class)
export class ClassResolver {
  @Authorized()
  @Query(() => Class, { nullable: true, description: "A class you belong to (any admin may read any), or null." })
  async class(@Args() { id }: ClassByIdArgs, @Ctx() ctx: Context): Promise<Class | null> {
    await signedInActor(ctx);
    return (await classAccess(ctx, id))?.cls ?? null;
  }

  @Authorized()
  @Query(() => ClassPage, { name: "myClasses", description: "The classes you belong to, newest first." })
  async myClasses(@Args() { includeArchived, skip, limit }: MyClassesArgs, @Ctx() ctx: Context): Promise<Page<Class>> {
    return ctx.services.classes.mine(await signedInActor(ctx), includeArchived, { skip, limit });
  }

  @Authorized()
  @Query(() => [ClassInvitation], { name: "myInvitations", description: "Pending invitations to your e-mail address, newest first, once it is verified (`me.emailVerified`); none before." })
  async myInvitations(@Ctx() ctx: Context): Promise<ClassInvitation[]> {
    return ctx.services.classes.myInvitations(await signedInActor(ctx));
  }

  @Authorized()
  @Mutation(() => Class, { description: "Creates a class with you as its teacher (instructors and admins)." })
  async createClass(@Arg("input", () => CreateClassInput, { description: "The new class." }) input: CreateClassInput, @Ctx() ctx: Context): Promise<Class> {
    return ctx.services.classes.create(await signedInActor(ctx), input);
  }

  @Authorized()
  @Mutation(() => Class, { description: "Changes a class you teach." })
  async updateClass(
    @Arg("id", () => IdScalar, { description: "The class." }) id: string,
    @Arg("input", () => UpdateClassInput, { description: "The changes." }) input: UpdateClassInput,
    @Ctx() ctx: Context,
  ): Promise<Class> {
    return ctx.services.classes.update(await signedInActor(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => Class, { description: "Archives a class you teach (read-only, still visible to its members), or restores it." })
  async archiveClass(
    @Arg("id", () => IdScalar, { description: "The class." }) id: string,
    @Arg("archived", { defaultValue: true, description: "False restores it." }) archived: boolean,
    @Ctx() ctx: Context,
  ): Promise<Class> {
    return ctx.services.classes.setArchived(await signedInActor(ctx), id, archived);
  }

  @Authorized()
  @Mutation(() => Class, { description: "Gives a class you teach a new random join code (the old one stops working), optionally expiring." })
  async rotateJoinCode(@Args() { classId, expiresAt }: JoinCodeArgs, @Ctx() ctx: Context): Promise<Class> {
    return ctx.services.classes.rotateJoinCode(await signedInActor(ctx), classId, expiresAt);
  }

  @Authorized()
  @Mutation(() => Class, { description: "Switches joining by code off until the next `rotateJoinCode`." })
  async disableJoinCode(@Args() { classId }: ClassIdArgs, @Ctx() ctx: Context): Promise<Class> {
    return ctx.services.classes.disableJoinCode(await signedInActor(ctx), classId);
  }

  @Authorized()
  @Mutation(() => Class, { description: "Joins a class as a student with its join code (CONFLICT when you are a member already)." })
  async joinClass(@Arg("code", { description: "The class's join code (case does not matter)." }) code: string, @Ctx() ctx: Context): Promise<Class> {
    return ctx.services.classes.join(await signedInActor(ctx), code);
  }

  @Authorized()
  @Mutation(() => [ClassInvitation], { description: "Invites e-mail addresses to a class you teach; each shows in `myInvitations` of the account with that address once the address is verified." })
  async inviteToClass(@Args() { classId, emails, role }: InviteArgs, @Ctx() ctx: Context): Promise<ClassInvitation[]> {
    return ctx.services.classes.invite(await signedInActor(ctx), classId, emails, role);
  }

  @Authorized()
  @Mutation(() => ClassInvitation, { description: "Accepts an invitation of yours: you join the class with its role. FORBIDDEN (reason email_not_verified) until your address is verified." })
  async acceptClassInvitation(@Arg("id", () => IdScalar, { description: "The invitation." }) id: string, @Ctx() ctx: Context): Promise<ClassInvitation> {
    return ctx.services.classes.respond(await signedInActor(ctx), id, true);
  }

  @Authorized()
  @Mutation(() => ClassInvitation, { description: "Declines an invitation of yours." })
  async declineClassInvitation(@Arg("id", () => IdScalar, { description: "The invitation." }) id: string, @Ctx() ctx: Context): Promise<ClassInvitation> {
    return ctx.services.classes.respond(await signedInActor(ctx), id, false);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Removes a member from a class you teach: what the class shared stops reaching them at once." })
  async removeClassMember(@Args() { classId, userId }: MemberArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.classes.removeMember(await signedInActor(ctx), classId, userId);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Leaves a class (its last teacher cannot)." })
  async leaveClass(@Args() { classId }: ClassIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.classes.leave(await signedInActor(ctx), classId);
  }

  @Authorized()
  @Query(() => [ShareEntry], {
    description: "The current shares of a course, quiz or personal deck you may share (its owner or authors, admins), oldest first: to review them and `unshare`.",
  })
  async shares(@Args() { kind, id }: SharesArgs, @Ctx() ctx: Context): Promise<ShareEntry[]> {
    return ctx.services.sharing.sharesOf(await signedInActor(ctx), { kind, id });
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Shares a course, quiz or personal deck you may share with a class you teach or a user, as VIEWER or EDITOR (again: changes the role)." })
  async share(@Arg("input", () => ShareInput, { description: "What, with whom, how." }) input: ShareInput, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.sharing.share(await signedInActor(ctx), input, input, input.role);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Ends a share made with `share` (its role is ignored)." })
  async unshare(@Arg("input", () => ShareInput, { description: "What, and with whom." }) input: ShareInput, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.sharing.unshare(await signedInActor(ctx), input, input);
  }

  @Subscription(() => ClassActivityEvent, {
    description: "What students do in a class you teach or assist, as it happens, across instances: joining, starting, submitting, completing chapters.",
    subscribe: async ({ args, context }) => {
      const { classId } = validArgs(ClassIdArgs, args);
      const ctx = context as Context;
      return ctx.services.classes.follow(await signedInActor(ctx), classId);
    },
  })
  classActivity(@Args() _args: ClassIdArgs, @Root() event: ClassActivityPayload): ClassActivityEvent {
    return toActivityEvent(event);
  }

  @FieldResolver(() => ClassRole, { name: "myRole", nullable: true, description: "Your role in the class; null for an admin who is not a member." })
  async myRole(@Root() cls: Class, @Ctx() ctx: Context): Promise<ClassRole | null> {
    return (await accessOf(ctx, cls)).role;
  }

  @FieldResolver(() => Boolean, { description: "Whether the class is archived (read-only)." })
  archived(@Root() cls: Class): boolean {
    return Boolean(cls.archived_at);
  }

  @FieldResolver(() => Int, { name: "memberCount", description: "How many members the class has, teachers and TAs included." })
  async memberCount(@Root() cls: Class, @Ctx() ctx: Context): Promise<number> {
    await accessOf(ctx, cls);
    return ctx.services.classes.memberCount(cls._id);
  }

  @FieldResolver(() => JoinCode, { name: "joinCode", description: "How students join by code: teachers and TAs only (FORBIDDEN for students)." })
  async joinCode(@Root() cls: Class, @Ctx() ctx: Context): Promise<JoinCode> {
    await staffOf(ctx, cls);
    const expired = cls.join_code_expires_at !== undefined && cls.join_code_expires_at.getTime() <= Date.now();
    return { code: cls.join_code ?? null, active: Boolean(cls.join_code) && !expired && !cls.archived_at, expiresAt: cls.join_code_expires_at ?? null };
  }

  @FieldResolver(() => RosterPage, { description: "The members, teachers first: names and avatars for every member, e-mail addresses for teachers and TAs only." })
  async roster(@Root() cls: Class, @Args() { role, skip, limit }: RosterArgs, @Ctx() ctx: Context): Promise<Page<RosterEntry>> {
    return ctx.services.classes.roster(await accessOf(ctx, cls), role, { skip, limit });
  }

  @FieldResolver(() => [ClassInvitation], { description: "Pending invitations: teachers and TAs only (FORBIDDEN for students)." })
  async invitations(@Root() cls: Class, @Ctx() ctx: Context): Promise<ClassInvitation[]> {
    return ctx.services.classes.pendingInvitations(await staffOf(ctx, cls));
  }
}

@Resolver(() => ClassInvitation)
export class ClassInvitationResolver {
  @FieldResolver(() => String, { name: "className", description: "The name of the class you are invited to." })
  async className(@Root() invitation: ClassInvitation, @Ctx() ctx: Context): Promise<string> {
    return (await ctx.services.classes.byIdOrFail(invitation.class_id)).name;
  }

  @FieldResolver(() => IdScalar, { name: "classId", description: "The class." })
  classId(@Root() invitation: ClassInvitation): string {
    return String(invitation.class_id);
  }
}

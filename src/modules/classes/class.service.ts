import { randomInt } from "node:crypto";
import type { Types } from "mongoose";
import type { AppPubSub } from "../../infra/pubsub";
import { raise } from "../../lib/errors";
import { asObjectId } from "../../lib/ids";
import { isAdmin, UserRole, type Actor, type SignedIn } from "../../lib/identity";
import { followLive } from "../../lib/live";
import { findPage, type Page, type PageWindow } from "../../lib/pagination";
import { emailVerified } from "../users/user.model";
import type { UserService } from "../users/user.service";
import { ClassActivityKind, type ClassActivityPayload } from "./class-activity";
import { Class, ClassInvitation, ClassInvitationModel, ClassMember, ClassMemberModel, ClassModel, ClassRole, InvitationStatus } from "./class.model";
import type { RosterEntry } from "./class.types";
import type { GradebookChange } from "./gradebook-cache";

const DUPLICATE_KEY = 11000;
/** No 0/O, 1/I/L: codes are read aloud and copied from a board. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 8;

export interface NewClass {
  name: string;
  description?: string | null;
  termStartsAt?: Date | null;
  termEndsAt?: Date | null;
}

export type ClassChanges = { name?: string | null } & Partial<Omit<NewClass, "name">>;

/** What a viewer is in a class: their role, or STAFF rights as an admin who is not a member. */
export interface ClassAccess {
  cls: Class;
  /** Null for an admin who is not a member. */
  role: ClassRole | null;
  /** Teachers, TAs and admins: e-mails, gradebook, live activity. */
  staff: boolean;
  /** Teachers and admins: settings, roster, sharing, assignments. */
  teaches: boolean;
}

export function classNotFound(): never {
  return raise("NOT_FOUND", "Class not found");
}

function newJoinCode(): string {
  return Array.from({ length: CODE_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

function checkTerm(starts: Date | null | undefined, ends: Date | null | undefined, field: string): void {
  if (starts && ends && ends.getTime() <= starts.getTime()) {
    raise("BAD_USER_INPUT", "The term must end after it begins", { fields: [{ field, message: "must be after termStartsAt" }] });
  }
}

/** Classes, rosters, join codes and invitations: the only code that touches `classes`, `class_members` and `class_invitations`. */
export class ClassService {
  constructor(private readonly deps: { users: UserService; pubSub: AppPubSub; gradebooks: { changed(change: GradebookChange): void } }) {}

  async ready(): Promise<void> {
    await Promise.all([ClassModel.init(), ClassMemberModel.init(), ClassInvitationModel.init()]);
  }

  async create(actor: SignedIn, input: NewClass): Promise<Class> {
    if (actor.role === UserRole.STUDENT) raise("FORBIDDEN", "Only instructors and admins create classes");
    checkTerm(input.termStartsAt, input.termEndsAt, "input.termEndsAt");
    const created = await ClassModel.create({
      name: input.name,
      description: input.description ?? "",
      term_starts_at: input.termStartsAt ?? undefined,
      term_ends_at: input.termEndsAt ?? undefined,
      owner_id: actor._id,
      join_code: newJoinCode(),
    });
    await this.addMember(created._id, actor._id, ClassRole.TEACHER);
    return this.byIdOrFail(created._id);
  }

  async update(actor: SignedIn, id: string, changes: ClassChanges): Promise<Class> {
    const { cls } = await this.teachingOrFail(actor, id, { writable: true });
    const starts = changes.termStartsAt !== undefined ? changes.termStartsAt : cls.term_starts_at;
    const ends = changes.termEndsAt !== undefined ? changes.termEndsAt : cls.term_ends_at;
    checkTerm(starts, ends, changes.termEndsAt !== undefined ? "input.termEndsAt" : "input.termStartsAt");
    const set: Record<string, unknown> = {};
    const unset: Record<string, 1> = {};
    if (changes.name !== undefined && changes.name !== null) set.name = changes.name;
    if (changes.description !== undefined) set.description = changes.description ?? "";
    for (const [key, value] of [["term_starts_at", changes.termStartsAt], ["term_ends_at", changes.termEndsAt]] as const) {
      if (value === null) unset[key] = 1;
      else if (value !== undefined) set[key] = value;
    }
    await ClassModel.updateOne({ _id: cls._id }, { $set: set, $unset: unset }).exec();
    return this.byIdOrFail(cls._id);
  }

  /** Archived: read-only (no joining, no changes, no new work), still visible to its members. */
  async setArchived(actor: SignedIn, id: string, archived: boolean): Promise<Class> {
    const { cls } = await this.teachingOrFail(actor, id);
    await ClassModel.updateOne({ _id: cls._id }, archived ? { $set: { archived_at: cls.archived_at ?? new Date() } } : { $unset: { archived_at: 1 } }).exec();
    return this.byIdOrFail(cls._id);
  }

  /** A new random code (the old one is refused from now on as replaced), optionally expiring. */
  async rotateJoinCode(actor: SignedIn, id: string, expiresAt: Date | null | undefined): Promise<Class> {
    const { cls } = await this.teachingOrFail(actor, id, { writable: true });
    if (expiresAt && expiresAt.getTime() <= Date.now()) {
      raise("BAD_USER_INPUT", "A join code must expire in the future", { fields: [{ field: "expiresAt", message: "must be in the future" }] });
    }
    const retired = cls.join_code ? { $push: { retired_codes: { $each: [cls.join_code], $slice: -20 } } } : {};
    await ClassModel.updateOne(
      { _id: cls._id },
      { $set: { join_code: newJoinCode(), ...(expiresAt ? { join_code_expires_at: expiresAt } : {}) }, ...(expiresAt ? {} : { $unset: { join_code_expires_at: 1 } }), ...retired },
    ).exec();
    return this.byIdOrFail(cls._id);
  }

  /** Switches joining by code off until the next rotation. */
  async disableJoinCode(actor: SignedIn, id: string): Promise<Class> {
    const { cls } = await this.teachingOrFail(actor, id, { writable: true });
    const retired = cls.join_code ? { $push: { retired_codes: { $each: [cls.join_code], $slice: -20 } } } : {};
    await ClassModel.updateOne({ _id: cls._id }, { $unset: { join_code: 1, join_code_expires_at: 1 }, ...retired }).exec();
    return this.byIdOrFail(cls._id);
  }

  /** Joins as a student with the class's current code. */
  async join(actor: SignedIn, code: string): Promise<Class> {
    const normalized = code.trim().toUpperCase();
    const cls = await ClassModel.findOne({ join_code: normalized }).lean<Class>().exec();
    if (!cls) {
      const retired = await ClassModel.exists({ retired_codes: normalized }).exec();
      if (retired) raise("BAD_USER_INPUT", "This join code was replaced or switched off; ask your teacher for the current one", { reason: "code_retired", fields: [{ field: "code", message: "is no longer valid" }] });
      raise("NOT_FOUND", "No class has this join code", { fields: [{ field: "code", message: "matches no class" }] });
    }
    if (cls.join_code_expires_at && cls.join_code_expires_at.getTime() <= Date.now()) {
      raise("BAD_USER_INPUT", "This join code has expired; ask your teacher for a new one", { reason: "code_expired", fields: [{ field: "code", message: "has expired" }] });
    }
    if (cls.archived_at) archivedError();
    await this.addMember(cls._id, actor._id, ClassRole.STUDENT);
    return cls;
  }

  async invite(actor: SignedIn, classId: string, emails: string[], role: ClassRole): Promise<ClassInvitation[]> {
    const { cls } = await this.teachingOrFail(actor, classId, { writable: true });
    const addresses = [...new Set(emails.map((email) => email.trim().toLowerCase()))];
    const users = await this.deps.users.byEmails(addresses);
    const members = await ClassMemberModel.find({ class_id: cls._id, user_id: { $in: users.map((user) => user._id) } }, { user_id: 1 }).lean<ClassMember[]>().exec();
    const memberIds = new Set(members.map((member) => String(member.user_id)));
    const already = users.filter((user) => memberIds.has(String(user._id))).map((user) => user.email);
    if (already.length > 0) {
      raise("CONFLICT", "Some of these addresses belong to members of the class already", {
        fields: already.map((email) => ({ field: `emails.${emails.findIndex((given) => given.trim().toLowerCase() === email)}`, message: "is a member already" })),
      });
    }
    for (const email of addresses) {
      await ClassInvitationModel.updateOne(
        { class_id: cls._id, email },
        { $set: { role, status: InvitationStatus.PENDING, invited_by: actor._id } },
        { upsert: true },
      ).exec();
    }
    return ClassInvitationModel.find({ class_id: cls._id, email: { $in: addresses } }).lean<ClassInvitation[]>().exec();
  }

  /**
   * Pending invitations to the viewer's address, newest first, once they proved it is theirs
   * (none before: anyone may sign up with any address).
   */
  async myInvitations(actor: SignedIn): Promise<ClassInvitation[]> {
    const user = (await this.deps.users.findById(actor._id)) ?? raise("UNAUTHENTICATED", "Sign in first");
    if (!emailVerified(user)) return [];
    return ClassInvitationModel.find({ email: user.email, status: InvitationStatus.PENDING }).sort({ created_at: -1 }).lean<ClassInvitation[]>().exec();
  }

  /** Accepts (joining with the invitation's role) or declines an invitation to the viewer's verified address. */
  async respond(actor: SignedIn, invitationId: string, accept: boolean): Promise<ClassInvitation> {
    const user = (await this.deps.users.findById(actor._id)) ?? raise("UNAUTHENTICATED", "Sign in first");
    const id = asObjectId(invitationId);
    const invitation = id && (await ClassInvitationModel.findOne({ _id: id, email: user.email }).lean<ClassInvitation>().exec());
    if (!invitation) raise("NOT_FOUND", "Invitation not found");
    if (!emailVerified(user)) {
      raise("FORBIDDEN", "Verify your e-mail address first (requestEmailVerification): invitations go to verified addresses", { reason: "email_not_verified" });
    }
    if (invitation.status !== InvitationStatus.PENDING) raise("CONFLICT", `This invitation was ${invitation.status.toLowerCase()} already`);
    if (accept) {
      const cls = await this.byIdOrFail(invitation.class_id);
      if (cls.archived_at) archivedError();
      await this.addMember(cls._id, actor._id, invitation.role);
    }
    const status = accept ? InvitationStatus.ACCEPTED : InvitationStatus.DECLINED;
    await ClassInvitationModel.updateOne({ _id: invitation._id }, { $set: { status } }).exec();
    return { ...invitation, status };
  }

  /** A teacher removes someone; the last teacher stays. Access through the class ends at once, on every instance. */
  async removeMember(actor: SignedIn, classId: string, userId: string): Promise<boolean> {
    const { cls } = await this.teachingOrFail(actor, classId);
    const target = asObjectId(userId) ?? raise("NOT_FOUND", "No such member");
    return this.dropMember(cls, target);
  }

  async leave(actor: SignedIn, classId: string): Promise<boolean> {
    const access = await this.accessOrFail(actor, classId);
    if (!access.role) raise("NOT_FOUND", "You are not a member of this class");
    return this.dropMember(access.cls, actor._id);
  }

  /**
   * `user.deleted`: their memberships end. A class they were the only teacher of is archived while
   * it has other members (read-only, their work kept; an admin, who teaches every class, may
   * unarchive it and invite a new teacher), and handed back as deleted (`emptied`) when nobody else
   * is left. Invitations to their address go; their name leaves invitations they sent and classes
   * they created. Safe to run again.
   */
  async userDeleted(userId: Types.ObjectId, email: string, emptied: (classId: Types.ObjectId) => Promise<void>): Promise<void> {
    const memberships = await ClassMemberModel.find({ user_id: userId }).lean<ClassMember[]>().exec();
    for (const member of memberships) {
      const others = await ClassMemberModel.countDocuments({ class_id: member.class_id, user_id: { $ne: userId } }).exec();
      if (others === 0) {
        await emptied(member.class_id);
        await Promise.all([ClassInvitationModel.deleteMany({ class_id: member.class_id }).exec(), ClassMemberModel.deleteMany({ class_id: member.class_id }).exec()]);
        await ClassModel.deleteOne({ _id: member.class_id }).exec();
        continue;
      }
      if (member.role === ClassRole.TEACHER) {
        const teachers = await ClassMemberModel.countDocuments({ class_id: member.class_id, role: ClassRole.TEACHER, user_id: { $ne: userId } }).exec();
        if (teachers === 0) await ClassModel.updateOne({ _id: member.class_id, archived_at: { $exists: false } }, { $set: { archived_at: new Date() } }).exec();
      }
      await ClassMemberModel.deleteOne({ _id: member._id }).exec();
      this.deps.gradebooks.changed({ kind: "member", classId: member.class_id, userId });
      this.announce(member.class_id, { kind: ClassActivityKind.LEFT, userId: String(userId), name: "" });
    }
    await ClassInvitationModel.deleteMany({ email: email.toLowerCase() }).exec();
    await ClassInvitationModel.updateMany({ invited_by: userId }, { $unset: { invited_by: 1 } }).exec();
    await ClassModel.updateMany({ owner_id: userId }, { $unset: { owner_id: 1 } }).exec();
  }

  /** What the actor is in the class, or null when they may not see it (not a member, not an admin). */
  async access(actor: Actor, id: Types.ObjectId | string): Promise<ClassAccess | null> {
    if (!actor) return null;
    const classId = asObjectId(id);
    if (!classId) return null;
    const [cls, member] = await Promise.all([
      ClassModel.findById(classId).lean<Class>().exec(),
      ClassMemberModel.findOne({ class_id: classId, user_id: actor._id }).lean<ClassMember>().exec(),
    ]);
    if (!cls || (!member && !isAdmin(actor))) return null;
    const role = member?.role ?? null;
    return { cls, role, staff: isAdmin(actor) || role === ClassRole.TEACHER || role === ClassRole.TA, teaches: isAdmin(actor) || role === ClassRole.TEACHER };
  }

  async accessOrFail(actor: Actor, id: Types.ObjectId | string): Promise<ClassAccess> {
    return (await this.access(actor, id)) ?? classNotFound();
  }

  /** Teachers, TAs and admins; FORBIDDEN for students of the class, NOT_FOUND for everyone else. */
  async staffOrFail(actor: Actor, id: Types.ObjectId | string): Promise<ClassAccess> {
    const access = await this.accessOrFail(actor, id);
    if (!access.staff) raise("FORBIDDEN", "Only the class's teachers and TAs may see this");
    return access;
  }

  /** Teachers and admins; `writable` also refuses an archived class. */
  async teachingOrFail(actor: Actor, id: Types.ObjectId | string, options: { writable?: boolean } = {}): Promise<ClassAccess> {
    const access = await this.accessOrFail(actor, id);
    if (!access.teaches) raise("FORBIDDEN", "Only the class's teachers may do this");
    if (options.writable && access.cls.archived_at) archivedError();
    return access;
  }

  /** The classes the actor belongs to, newest membership first; archived ones only when asked. */
  async mine(actor: SignedIn, includeArchived: boolean, page: PageWindow): Promise<Page<Class>> {
    const memberships = await ClassMemberModel.find({ user_id: actor._id }, { class_id: 1 }).lean<ClassMember[]>().exec();
    const filter: Record<string, unknown> = { _id: { $in: memberships.map((member) => member.class_id) } };
    if (!includeArchived) filter.archived_at = { $exists: false };
    return findPage<Class>(ClassModel, filter, { created_at: -1, _id: -1 }, page);
  }

  /** A page of the roster, teachers first, then TAs, then students, each by joining order; e-mails only for staff. */
  async roster(access: ClassAccess, role: ClassRole | null | undefined, page: PageWindow): Promise<Page<RosterEntry>> {
    const filter: Record<string, unknown> = { class_id: access.cls._id };
    if (role) filter.role = role;
    const all = await ClassMemberModel.find(filter, { user_id: 1, role: 1, joined_at: 1 }).lean<ClassMember[]>().exec();
    const order = [ClassRole.TEACHER, ClassRole.TA, ClassRole.STUDENT];
    all.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || a.joined_at.getTime() - b.joined_at.getTime());
    const slice = all.slice(page.skip, page.skip + page.limit);
    const ids = slice.map((member) => member.user_id);
    const [users, profiles] = await Promise.all([this.deps.users.byIds(ids), this.deps.users.profiles(ids)]);
    const items = slice.map((member, i) => {
      const user = users[i];
      return {
        userId: member.user_id,
        name: user?.name ?? "",
        avatarUrl: profiles[i]?.avatar_url ?? null,
        email: access.staff ? (user?.email ?? null) : null,
        role: member.role,
        joinedAt: member.joined_at,
      };
    });
    return { items, total: all.length, hasMore: page.skip + items.length < all.length };
  }

  async pendingInvitations(access: ClassAccess): Promise<ClassInvitation[]> {
    return ClassInvitationModel.find({ class_id: access.cls._id, status: InvitationStatus.PENDING }).sort({ created_at: -1 }).lean<ClassInvitation[]>().exec();
  }

  /** Members' ids, of one role or all. */
  async memberIds(classId: Types.ObjectId, role?: ClassRole): Promise<Types.ObjectId[]> {
    const rows = await ClassMemberModel.find({ class_id: classId, ...(role ? { role } : {}) }, { user_id: 1 }).lean<ClassMember[]>().exec();
    return rows.map((row) => row.user_id);
  }

  /** The user's role in the class, or null when they are not a member. */
  async roleOf(classId: Types.ObjectId, userId: Types.ObjectId): Promise<ClassRole | null> {
    const member = await ClassMemberModel.findOne({ class_id: classId, user_id: userId }, { role: 1 }).lean<ClassMember>().exec();
    return member?.role ?? null;
  }

  async memberCount(classId: Types.ObjectId): Promise<number> {
    return ClassMemberModel.countDocuments({ class_id: classId }).exec();
  }

  /** The classes (ids) where the user is a member with one of these roles. */
  async classIdsOf(userId: Types.ObjectId, roles: ClassRole[]): Promise<Types.ObjectId[]> {
    const rows = await ClassMemberModel.find({ user_id: userId, role: { $in: roles } }, { class_id: 1 }).lean<ClassMember[]>().exec();
    return rows.map((row) => row.class_id);
  }

  byIds(ids: readonly Types.ObjectId[]): Promise<Class[]> {
    return ClassModel.find({ _id: { $in: ids } }).lean<Class[]>().exec();
  }

  byIdOrFail(id: Types.ObjectId): Promise<Class> {
    return ClassModel.findById(id).lean<Class>().exec().then((cls) => cls ?? classNotFound());
  }

  /** The class's live activity for its teachers and TAs (and admins); the listener goes when the subscriber does. */
  async follow(actor: SignedIn, classId: string): Promise<AsyncIterable<ClassActivityPayload>> {
    const { cls } = await this.staffOrFail(actor, classId);
    const live = this.deps.pubSub.subscribe("CLASS_ACTIVITY", String(cls._id))[Symbol.asyncIterator]();
    const viewer = String(actor._id);
    // A teacher or TA who leaves or is removed stops seeing the class at once.
    return followLive<ClassActivityPayload, ClassActivityPayload>(live, async (events, push) => {
      for (let next = await events.next(); !next.done; next = await events.next()) {
        if (next.value.kind === ClassActivityKind.LEFT && next.value.userId === viewer) return;
        await push(next.value);
      }
    });
  }

  /** Tells the class's teachers and TAs what happened, on every instance. */
  announce(classId: Types.ObjectId, event: Omit<ClassActivityPayload, "classId" | "at">): void {
    this.deps.pubSub.publish("CLASS_ACTIVITY", String(classId), { ...event, classId: String(classId), at: new Date().toISOString() });
  }

  /** The membership first, then the viewer's copy (which every instance reads again at once). */
  private async addMember(classId: Types.ObjectId, userId: Types.ObjectId, role: ClassRole): Promise<void> {
    try {
      await ClassMemberModel.create({ class_id: classId, user_id: userId, role });
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) raise("CONFLICT", "You are a member of this class already");
      throw error;
    }
    await this.deps.users.addClass(userId, classId);
    this.deps.gradebooks.changed({ kind: "member", classId, userId });
    if (role === ClassRole.STUDENT) {
      const user = await this.deps.users.findById(userId);
      this.announce(classId, { kind: ClassActivityKind.JOINED, userId: String(userId), name: user?.name ?? "" });
    }
  }

  /** Access first (the viewer's copy), then the membership: a crash in between leaves a member without access, never the reverse. */
  private async dropMember(cls: Class, userId: Types.ObjectId): Promise<boolean> {
    const member = await ClassMemberModel.findOne({ class_id: cls._id, user_id: userId }).lean<ClassMember>().exec();
    if (!member) raise("NOT_FOUND", "No such member");
    if (member.role === ClassRole.TEACHER && (await ClassMemberModel.countDocuments({ class_id: cls._id, role: ClassRole.TEACHER }).exec()) <= 1) {
      raise("CONFLICT", "A class keeps at least one teacher: add another teacher first");
    }
    await this.deps.users.removeClass(userId, cls._id);
    await ClassMemberModel.deleteOne({ _id: member._id }).exec();
    this.deps.gradebooks.changed({ kind: "member", classId: cls._id, userId });
    this.announce(cls._id, { kind: ClassActivityKind.LEFT, userId: String(userId), name: "" });
    return true;
  }
}

function archivedError(): never {
  return raise("FORBIDDEN", "The class is archived: it is read-only", { reason: "class_archived" });
}


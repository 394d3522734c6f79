import { isObjectId } from "../../lib/ids";
import { GraphQLError } from "graphql";
import type { QueryFilter } from "mongoose";
import { Types } from "mongoose";
import { raise } from "../../lib/errors";
import type { DomainEventBus } from "../../lib/events";
import { inKeyOrder } from "../../lib/loaders";
import { findPage, type Page } from "../../lib/pagination";
import { answerAlone, findRaw, type Reading } from "../../lib/raw-reads";
import { hashPassword } from "./password";
import { emptyProfile, UserProfileModel, type Preferences, type UserProfile } from "./user-profile.model";
import { UserModel, UserRole, type User } from "./user.model";

const DUPLICATE_KEY = 11000;

export interface NewUser {
  name: string;
  email: string;
  /** Unset for an account that signs in through a provider only. */
  password?: string;
  role?: UserRole;
}

export interface ProfileChanges {
  name?: string;
  /** `null` clears it. */
  bio?: string | null;
  /** `null` clears it. */
  avatarUrl?: string | null;
  /** Replaces the whole object. */
  preferences?: Preferences;
}

export interface UserFilter {
  role?: UserRole;
  isActive?: boolean;
  /** Case-insensitive substring of the name or e-mail. */
  search?: string;
}

/** A user with the bcrypt hash, for the few places that check a password (none for provider-only accounts). */
export type UserWithHash = User & { password_hash?: string };

/** Normalised the way it is stored, so lookups match whatever case the user typed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

declare module "../../lib/events" {
  interface DomainEvents {
    /** A user's name, role or active flag changed: whoever keeps a copy of the user reads it again. */
    "user.changed": { userId: Types.ObjectId };
    /**
     * An account is being deleted (awaited; it is inactive and its sessions have ended): every
     * domain removes what is the user's and forgets them where others' things name them. Handlers
     * must be idempotent: an interrupted deletion emits it again (at start-up, or by calling again).
     */
    "user.deleted": { userId: Types.ObjectId; email: string };
  }
}

/** Users and their profiles: the only code that reads or writes `users` and `user_profiles`. */
export class UserService {
  constructor(private readonly options: { bcryptCost: number; events: DomainEventBus }) {}

  /**
   * Resolves once the unique e-mail index exists: before it does, two concurrent sign-ups with
   * one address could both succeed. Mongoose builds indexes once per model; later calls are free.
   */
  async ready(): Promise<void> {
    await Promise.all([UserModel.init(), UserProfileModel.init()]);
  }

  /** Creates a user and an empty profile; CONFLICT when the e-mail is taken (in any case). */
  async create(input: NewUser): Promise<User> {
    await this.ready();
    const password_hash = input.password === undefined ? undefined : await hashPassword(input.password, this.options.bcryptCost);
    let created;
    try {
      created = await UserModel.create({
        name: input.name,
        email: normalizeEmail(input.email),
        password_hash,
        role: input.role ?? UserRole.STUDENT,
      });
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) raise("CONFLICT", "Email already registered");
      throw error;
    }
    await UserProfileModel.create({ user_id: created._id });
    return this.byIdOrFail(created._id);
  }

  /** Removes an account created a moment ago that turned out not to be needed (a lost race). */
  async discardNew(id: Types.ObjectId): Promise<void> {
    await Promise.all([UserModel.deleteOne({ _id: id }).exec(), UserProfileModel.deleteOne({ user_id: id }).exec()]);
  }

  findByEmail(email: string): Promise<User | null> {
    return UserModel.findOne({ email: normalizeEmail(email) }).lean<User>().exec();
  }

  findById(id: Types.ObjectId | string): Promise<User | null> {
    if (!isObjectId(id)) return Promise.resolve(null);
    return UserModel.findById(id).lean<User>().exec();
  }

  /** For loaders: each user's id and name in key order, null where the account is gone or being deleted. */
  async summaries(ids: readonly Types.ObjectId[]): Promise<(Pick<User, "_id" | "name"> | null)[]> {
    return answerAlone(this.summariesRead(ids));
  }

  /** `summaries` as `answerTogether` takes it. */
  summariesRead(ids: readonly Types.ObjectId[]): Reading<(Pick<User, "_id" | "name"> | null)[]> {
    return {
      read: { model: UserModel, filter: { _id: { $in: [...ids] }, deleting_at: { $exists: false } }, projection: { name: 1 } },
      answer: (found: Pick<User, "_id" | "name">[]) => inKeyOrder(ids, found, (user) => user._id, null),
    };
  }

  /** Users by id in key order (null where gone): name and e-mail, for rosters and gradebooks. */
  async byIds(ids: readonly Types.ObjectId[]): Promise<(Pick<User, "_id" | "name" | "email"> | null)[]> {
    const found = await findRaw<Pick<User, "_id" | "name" | "email">>(UserModel, { _id: { $in: ids } }, { projection: { name: 1, email: 1 } });
    return inKeyOrder(ids, found, (user) => user._id, null);
  }

  /** The accounts with these addresses (already normalised). */
  byEmails(emails: readonly string[]): Promise<Pick<User, "_id" | "email">[]> {
    return UserModel.find({ email: { $in: emails.map(normalizeEmail) } }, { email: 1 }).lean<Pick<User, "_id" | "email">[]>().exec();
  }

  /**
   * Records that the user receives mail at `email`, if that is still their address (false when
   * it changed meanwhile); every instance reads the user again.
   */
  async markEmailVerified(userId: Types.ObjectId, email: string): Promise<boolean> {
    const result = await UserModel.updateOne({ _id: userId, email: normalizeEmail(email) }, { $set: { verified_email: normalizeEmail(email) } }).exec();
    if (result.modifiedCount > 0) await this.options.events.emit("user.changed", { userId });
    return result.matchedCount > 0;
  }

  /** Notes that the user belongs to a class (see `User.class_ids`); every instance reads the user again. */
  async addClass(userId: Types.ObjectId, classId: Types.ObjectId): Promise<void> {
    await UserModel.updateOne({ _id: userId }, { $addToSet: { class_ids: classId } }).exec();
    await this.options.events.emit("user.changed", { userId });
  }

  /** The user left a class: every instance forgets what it knew of them before answering them again. */
  async removeClass(userId: Types.ObjectId, classId: Types.ObjectId): Promise<void> {
    await UserModel.updateOne({ _id: userId }, { $pull: { class_ids: classId } }).exec();
    await this.options.events.emit("user.changed", { userId });
  }

  findByEmailWithHash(email: string): Promise<UserWithHash | null> {
    return UserModel.findOne({ email: normalizeEmail(email) }).select("+password_hash").lean<UserWithHash>().exec();
  }

  async passwordHash(id: Types.ObjectId): Promise<string | null> {
    const user = await UserModel.findById(id).select("+password_hash").lean<UserWithHash>().exec();
    return user?.password_hash ?? null;
  }

  async setPassword(id: Types.ObjectId, password: string): Promise<void> {
    const password_hash = await hashPassword(password, this.options.bcryptCost);
    await UserModel.updateOne({ _id: id }, { $set: { password_hash } }).exec();
  }

  /** Profiles of these users in the same order, an empty one for users who never saved one. */
  async profiles(userIds: readonly Types.ObjectId[]): Promise<UserProfile[]> {
    const found = await UserProfileModel.find({ user_id: { $in: userIds } }).lean<UserProfile[]>().exec();
    const byUser = new Map(found.map((profile) => [String(profile.user_id), profile]));
    return userIds.map((id) => byUser.get(String(id)) ?? emptyProfile(id));
  }

  async updateProfile(userId: Types.ObjectId, changes: ProfileChanges): Promise<User> {
    if (changes.name !== undefined) {
      await UserModel.updateOne({ _id: userId }, { $set: { name: changes.name } }).exec();
      await this.options.events.emit("user.changed", { userId });
    }
    const profile: Record<string, unknown> = {};
    if (changes.bio !== undefined) profile.bio = changes.bio;
    if (changes.avatarUrl !== undefined) profile.avatar_url = changes.avatarUrl;
    if (changes.preferences !== undefined) profile.preferences = changes.preferences;
    if (Object.keys(profile).length > 0) {
      await UserProfileModel.updateOne({ user_id: userId }, { $set: profile }, { upsert: true }).exec();
    }
    return this.byIdOrFail(userId);
  }

  async list(filter: UserFilter, page: { skip: number; limit: number }): Promise<Page<User>> {
    const query: QueryFilter<User> = {};
    if (filter.role !== undefined) query.role = filter.role;
    if (filter.isActive !== undefined) query.is_active = filter.isActive;
    if (filter.search) {
      const pattern = new RegExp(escapeRegExp(filter.search.trim()), "i");
      query.$or = [{ name: pattern }, { email: pattern }];
    }
    return findPage<User>(UserModel, query, { created_at: -1, _id: -1 }, page);
  }

  /** Marks the user as studying, once (see `User.studying_since`); every instance reads the user again. */
  async markStudying(user: { _id: Types.ObjectId; studying_since?: Date }): Promise<void> {
    if (user.studying_since) return;
    const result = await UserModel.updateOne({ _id: user._id, studying_since: { $exists: false } }, { $set: { studying_since: new Date() } }).exec();
    if (result.modifiedCount > 0) await this.options.events.emit("user.changed", { userId: user._id });
  }

  /** Sets fields and returns the user as it was before, or null when there is no such user. */
  async setFields(id: Types.ObjectId | string, fields: { role?: UserRole; is_active?: boolean }): Promise<User | null> {
    if (!isObjectId(id)) return null;
    const before = await UserModel.findByIdAndUpdate(id, { $set: fields }, { returnDocument: "before" }).lean<User>().exec();
    if (before) await this.options.events.emit("user.changed", { userId: before._id });
    return before;
  }

  /**
   * Starts deleting an account: inactive from now on (sign-ins, refreshes and access tokens are
   * refused on every instance), and marked, so an interrupted deletion is found and finished.
   * Returns the user as marked (the first mark's time is kept), or null when there is none.
   */
  async markDeleting(id: Types.ObjectId): Promise<User | null> {
    await UserModel.updateOne({ _id: id, deleting_at: { $exists: false } }, { $set: { deleting_at: new Date() } }).exec();
    const marked = await UserModel.findOneAndUpdate({ _id: id }, { $set: { is_active: false } }, { returnDocument: "after" }).lean<User>().exec();
    if (marked) await this.options.events.emit("user.changed", { userId: marked._id });
    return marked;
  }

  /**
   * Whether the account is gone or being deleted: work that began before (a generation, an upload
   * in transfer) checks it after storing, and removes what it stored rather than leave it behind.
   */
  async isLeaving(id: Types.ObjectId): Promise<boolean> {
    const user = await UserModel.findById(id, { deleting_at: 1 }).lean<Pick<User, "deleting_at">>().exec();
    return !user || user.deleting_at !== undefined;
  }

  /** Accounts whose deletion began and did not finish (a crash, a stopped process). */
  async deleting(): Promise<User[]> {
    return UserModel.find({ deleting_at: { $exists: true } }).lean<User[]>().exec();
  }

  /** The account's last rows, once every domain has removed what hangs off it: its profile, then the user. */
  async purge(id: Types.ObjectId): Promise<void> {
    await UserProfileModel.deleteMany({ user_id: id }).exec();
    await UserModel.deleteOne({ _id: id }).exec();
  }

  countActiveAdmins(): Promise<number> {
    return UserModel.countDocuments({ role: UserRole.ADMIN, is_active: true }).exec();
  }

  /** Makes an active admin from an existing account (password untouched); null if there is none. */
  promoteToAdmin(email: string): Promise<User | null> {
    return UserModel.findOneAndUpdate(
      { email: normalizeEmail(email) },
      { $set: { role: UserRole.ADMIN, is_active: true } },
      { returnDocument: "after" },
    )
      .lean<User>()
      .exec();
  }

  /**
   * Creates an active admin unless some user already has the e-mail (that account is left as it
   * is); safe when several instances start at once.
   */
  async ensureAdmin(admin: { email: string; password: string; name: string }): Promise<"created" | "exists"> {
    await this.ready();
    if (await UserModel.exists({ email: normalizeEmail(admin.email) })) return "exists";
    try {
      await this.create({ ...admin, role: UserRole.ADMIN });
      return "created";
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === "CONFLICT") return "exists";
      throw error;
    }
  }

  async byIdOrFail(id: Types.ObjectId | string): Promise<User> {
    return (await this.findById(id)) ?? raise("NOT_FOUND", "User not found");
  }

  /** How many users hold each (role, active) pair, keyed `role:active`, for the admin dashboard. */
  async countByRoleAndActive(): Promise<Map<string, number>> {
    const rows = await UserModel.aggregate<{ _id: { role: UserRole; active: boolean }; count: number }>([
      { $group: { _id: { role: "$role", active: "$is_active" }, count: { $sum: 1 } } },
    ]).exec();
    return new Map(rows.map((row) => [`${row._id.role}:${row._id.active}`, row.count]));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

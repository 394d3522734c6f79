import type { Types } from "mongoose";
import { groupedInKeyOrder } from "../../lib/loaders";
import { UserIdentityModel, type UserIdentity } from "./user-identity.model";

const DUPLICATE_KEY = 11000;

/** Who signed in at a provider, as the ID token says. */
export interface ProviderAccount {
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
}

/** The links between users and provider accounts: the only code that touches `user_identities`. */
export class UserIdentityService {
  async ready(): Promise<void> {
    await UserIdentityModel.init();
  }

  /** The link of this provider account, its e-mail and last sign-in refreshed; null if none. */
  signedIn(account: ProviderAccount): Promise<UserIdentity | null> {
    return UserIdentityModel.findOneAndUpdate(
      { issuer: account.issuer, subject: account.subject },
      { $set: { email: account.email, last_sign_in_at: new Date() } },
      { returnDocument: "after" },
    )
      .lean<UserIdentity>()
      .exec();
  }

  /**
   * Links the account to the user; false when the user already has a link to this issuer, or
   * the provider account is already linked (a concurrent first sign-in): the unique indexes decide.
   */
  async link(userId: Types.ObjectId, account: ProviderAccount): Promise<boolean> {
    try {
      await UserIdentityModel.create({ user_id: userId, ...account });
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  hasIssuer(userId: Types.ObjectId, issuer: string): Promise<boolean> {
    return UserIdentityModel.exists({ user_id: userId, issuer }).then((found) => found !== null);
  }

  /** The user's links, oldest first. */
  ofUser(userId: Types.ObjectId): Promise<UserIdentity[]> {
    return UserIdentityModel.find({ user_id: userId }).sort({ linked_at: 1, _id: 1 }).lean<UserIdentity[]>().exec();
  }

  /** For loaders: each user's links, oldest first, in key order. */
  async ofUsers(userIds: readonly Types.ObjectId[]): Promise<UserIdentity[][]> {
    const found = await UserIdentityModel.find({ user_id: { $in: userIds } }).sort({ linked_at: 1, _id: 1 }).lean<UserIdentity[]>().exec();
    return groupedInKeyOrder(userIds, found, (identity) => identity.user_id);
  }

  /** Removes every link of a user (a deleted account): their provider accounts may sign up afresh. */
  async removeAllOf(userId: Types.ObjectId): Promise<void> {
    await UserIdentityModel.deleteMany({ user_id: userId }).exec();
  }

  /** Removes one of the user's links; false when the user has no such link. */
  async unlink(userId: Types.ObjectId, identityId: Types.ObjectId): Promise<boolean> {
    const result = await UserIdentityModel.deleteOne({ _id: identityId, user_id: userId }).exec();
    return result.deletedCount > 0;
  }
}

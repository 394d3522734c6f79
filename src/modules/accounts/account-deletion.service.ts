import type { Types } from "mongoose";
import { forgetAiUsageOf } from "../../infra/ai";
import { raise } from "../../lib/errors";
import type { DomainEventBus } from "../../lib/events";
import { asObjectId } from "../../lib/ids";
import type { Viewer } from "../../lib/identity";
import type { Logger } from "../../lib/logger";
import type { Quota } from "../../lib/quota";
import { withRoleLock } from "../admin/role-lock";
import type { AuthService } from "../auth/auth.service";
import type { UserIdentityService } from "../users/user-identity.service";
import { UserRole, type User } from "../users/user.model";
import type { UserService } from "../users/user.service";

/**
 * Deleting an account, by its owner or an admin. The account is marked first (inactive at once,
 * on every instance), its sessions end (websockets close), then `user.deleted` lets every domain
 * remove what is the user's, and the user document goes last. Every step can run again: a
 * deletion cut short is finished by calling again, or at the next start-up.
 */
export class AccountDeletionService {
  /** Deletions under way in this process, so that two calls for one account share one run. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: {
      users: UserService;
      identities: UserIdentityService;
      auth: AuthService;
      events: DomainEventBus;
      /** AI generations per user: a deleted account's count goes with it. */
      aiWork: Quota;
      log: Logger;
    },
  ) {}

  /** The viewer's own account, once they confirmed it is theirs (`AuthService.confirmOwner`). */
  async deleteOwn(viewer: Viewer, password: string | null | undefined, clientIp: string | undefined): Promise<boolean> {
    await this.deps.auth.confirmOwner(viewer, password, clientIp);
    await this.finish(await this.begin(viewer.user._id));
    return true;
  }

  /** An admin deletes any account (their own too); the resolver checked the role. */
  async deleteUser(userId: string): Promise<boolean> {
    const id = asObjectId(userId) ?? raise("NOT_FOUND", "User not found");
    await this.finish(await this.begin(id));
    return true;
  }

  /** Finishes the deletions an earlier process left (start-up); returns how many. */
  async resume(): Promise<number> {
    const unfinished = await this.deps.users.deleting();
    for (const user of unfinished) await this.finish(user);
    return unfinished.length;
  }

  /**
   * Marks the account, under the lock that guards roles: the last active admin cannot be deleted
   * (CONFLICT, `reason: "last_admin"`), as it cannot be demoted or deactivated.
   */
  private begin(id: Types.ObjectId): Promise<User> {
    return withRoleLock(async () => {
      const user = (await this.deps.users.findById(id)) ?? raise("NOT_FOUND", "User not found");
      const countsAsAdmin = user.role === UserRole.ADMIN && user.is_active && !user.deleting_at;
      if (countsAsAdmin && (await this.deps.users.countActiveAdmins()) <= 1) {
        raise("CONFLICT", "The last active admin cannot be deleted: make another user an admin first", { reason: "last_admin" });
      }
      return (await this.deps.users.markDeleting(user._id)) ?? raise("NOT_FOUND", "User not found");
    });
  }

  private finish(user: Pick<User, "_id" | "email">): Promise<void> {
    const key = String(user._id);
    let run = this.running.get(key);
    if (!run) {
      run = this.cascade(user).finally(() => this.running.delete(key));
      this.running.set(key, run);
    }
    return run;
  }

  private async cascade({ _id: userId, email }: Pick<User, "_id" | "email">): Promise<void> {
    await this.deps.auth.endSessionsOf(userId);
    await this.deps.events.emit("user.deleted", { userId, email });
    await this.deps.aiWork.reset(String(userId));
    await forgetAiUsageOf(String(userId));
    await this.deps.identities.removeAllOf(userId);
    await this.deps.users.purge(userId);
    this.deps.log.info({ userId: String(userId) }, "accounts: account deleted");
  }
}

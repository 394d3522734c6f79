import { raise } from "../../lib/errors";
import type { Page } from "../../lib/pagination";
import type { AuthService } from "../auth/auth.service";
import { UserRole, type User } from "../users/user.model";
import { withRoleLock } from "./role-lock";
import type { UserFilter, UserService } from "../users/user.service";

/** User management for admins; the resolver has already checked the ADMIN role. */
export class AdminService {
  constructor(private readonly deps: { users: UserService; auth: AuthService }) {}

  listUsers(filter: UserFilter, page: { skip: number; limit: number }): Promise<Page<User>> {
    return this.deps.users.list(filter, page);
  }

  user(id: string): Promise<User | null> {
    return this.deps.users.findById(id);
  }

  async setRole(userId: string, role: UserRole): Promise<User> {
    return withRoleLock(async () => {
      const before = await this.existingOrFail(userId);
      if (role !== UserRole.ADMIN) await this.keepAnAdmin(before);
      await this.deps.users.setFields(before._id, { role });
      return this.deps.users.byIdOrFail(before._id);
    });
  }

  /** Deactivation also ends every session of the user; their access tokens stop working at once. */
  async setActive(userId: string, active: boolean): Promise<User> {
    const user = await withRoleLock(async () => {
      const before = await this.existingOrFail(userId);
      if (!active) await this.keepAnAdmin(before);
      await this.deps.users.setFields(before._id, { is_active: active });
      return this.deps.users.byIdOrFail(before._id);
    });
    if (!active) await this.deps.auth.endSessionsOf(user._id);
    return user;
  }

  /** The user, unless there is none or their account is being deleted (which nothing may undo). */
  private async existingOrFail(userId: string): Promise<User> {
    const user = (await this.deps.users.findById(userId)) ?? raise("NOT_FOUND", "User not found");
    if (user.deleting_at) raise("CONFLICT", "This account is being deleted", { reason: "account_deleting" });
    return user;
  }

  /** Checked under the role lock, so no concurrent change can remove the other admins meanwhile. */
  private async keepAnAdmin(before: User): Promise<void> {
    if (before.role !== UserRole.ADMIN || !before.is_active) return;
    if ((await this.deps.users.countActiveAdmins()) > 1) return;
    raise("CONFLICT", "The last active admin cannot be demoted or deactivated");
  }
}

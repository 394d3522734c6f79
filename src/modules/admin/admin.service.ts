import { raise } from "../../lib/errors";
import type { Page } from "../../lib/pagination";
import type { AuthService } from "../auth/auth.service";
import { UserRole, type User } from "../users/user.model";
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
    const before = (await this.deps.users.setFields(userId, { role })) ?? raise("NOT_FOUND", "User not found");
    if (role !== UserRole.ADMIN) await this.keepAnAdmin(before);
    return this.deps.users.byIdOrFail(before._id);
  }

  /** Deactivation also ends every session of the user; their access tokens stop working at once. */
  async setActive(userId: string, active: boolean): Promise<User> {
    const before = (await this.deps.users.setFields(userId, { is_active: active })) ?? raise("NOT_FOUND", "User not found");
    if (!active) {
      await this.keepAnAdmin(before);
      await this.deps.auth.endSessionsOf(before._id);
    }
    return this.deps.users.byIdOrFail(before._id);
  }

  /**
   * Checked after the change and undone if no active admin is left: two admins demoting each
   * other at once then both fail, where a check before the change would let both succeed.
   */
  private async keepAnAdmin(before: User): Promise<void> {
    if (before.role !== UserRole.ADMIN || !before.is_active) return;
    if ((await this.deps.users.countActiveAdmins()) > 0) return;
    await this.deps.users.setFields(before._id, { role: before.role, is_active: before.is_active });
    raise("CONFLICT", "The last active admin cannot be demoted or deactivated");
  }
}

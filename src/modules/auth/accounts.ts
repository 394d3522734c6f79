import mongoose from "mongoose";
import type { Config } from "../../config";
import type { Logger } from "../../lib/logger";
import { AdminService } from "../admin/admin.service";
import { UserService } from "../users/user.service";
import { AuthService } from "./auth.service";
import { LoginThrottle } from "./login-throttle";
import { TokenService } from "./token.service";

export interface Accounts {
  services: { users: UserService; auth: AuthService; admin: AdminService };
  /**
   * Builds the accounts' indexes and creates the ADMIN_EMAIL admin. Waits for that when the
   * database is connected; otherwise returns at once and does it on connection, so start-up
   * never hangs on an unreachable MongoDB.
   */
  start(): Promise<void>;
  /** Closes the throttle's Redis connection, if any. */
  close(): Promise<void>;
}

/** Users, sessions and user management, wired once per process. */
export function createAccounts(config: Config, log: Logger): Accounts {
  const { bcryptCost, loginThrottle, bootstrapAdmin } = config.auth;
  const users = new UserService({ bcryptCost });
  const tokens = new TokenService(config.jwt);
  const throttle = new LoginThrottle({ ...loginThrottle, redisUrl: config.redisUrl }, log);
  const auth = new AuthService({ users, tokens, throttle, bcryptCost });
  const admin = new AdminService({ users, tokens });

  const prepare = async () => {
    await Promise.all([users.ready(), tokens.ready()]);
    if (!bootstrapAdmin) return;
    const outcome = await users.ensureAdmin(bootstrapAdmin);
    log.info(
      { email: bootstrapAdmin.email },
      outcome === "created" ? "created the ADMIN_EMAIL admin" : "ADMIN_EMAIL already has an account; left as it is",
    );
  };

  return {
    services: { users, auth, admin },
    async start() {
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return prepare();
      mongoose.connection.once("connected", () => {
        prepare().catch((error: unknown) => log.error({ err: error }, "accounts: preparing the database failed"));
      });
    },
    close: () => throttle.close(),
  };
}

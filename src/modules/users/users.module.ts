import type { AppModule } from "../app-module";
import { UserIdentityService } from "./user-identity.service";
import { UserResolver } from "./user.resolver";
import { UserService } from "./user.service";

/** Accounts, profiles and linked provider identities; creates the ADMIN_EMAIL admin on start. */
export const usersModule: AppModule<{ users: UserService; identities: UserIdentityService }> = {
  name: "users",
  cachedQueries: ["me"],
  resolvers: [UserResolver],
  create({ config, log, events }) {
    const { bcryptCost, bootstrapAdmin } = config.auth;
    const users = new UserService({ bcryptCost, events });
    const identities = new UserIdentityService();
    return {
      services: { users, identities },
      async start() {
        await Promise.all([users.ready(), identities.ready()]);
        if (!bootstrapAdmin) return;
        const outcome = await users.ensureAdmin(bootstrapAdmin);
        log.info(
          { email: bootstrapAdmin.email },
          outcome === "created" ? "created the ADMIN_EMAIL admin" : "ADMIN_EMAIL already has an account; left as it is",
        );
      },
    };
  },
};

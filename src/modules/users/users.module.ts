import type { AppModule } from "../app-module";
import { UserResolver } from "./user.resolver";
import { UserService } from "./user.service";

/** Accounts and profiles; creates the ADMIN_EMAIL admin on start. */
export const usersModule: AppModule<{ users: UserService }> = {
  name: "users",
  resolvers: [UserResolver],
  create({ config, log, events }) {
    const { bcryptCost, bootstrapAdmin } = config.auth;
    const users = new UserService({ bcryptCost, events });
    return {
      services: { users },
      async start() {
        await users.ready();
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

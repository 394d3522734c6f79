import { peers, type AppModule } from "../app-module";
import { AdminStatsResolver } from "./admin-stats.resolver";
import { AdminStatsService } from "./admin-stats.service";
import { AdminResolver } from "./admin.resolver";
import { AdminService } from "./admin.service";

/** User management and platform statistics, for admins. */
export const adminModule: AppModule<{ admin: AdminService; adminStats: AdminStatsService }> = {
  name: "admin",
  resolvers: [AdminResolver, AdminStatsResolver],
  create({ services }) {
    return {
      services: {
        admin: new AdminService(peers(services, ["users", "auth"])),
        adminStats: new AdminStatsService(peers(services, ["users", "courses", "uploads", "quizzes", "attempts", "chat"])),
      },
    };
  },
};

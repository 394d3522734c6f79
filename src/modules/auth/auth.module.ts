import { peers, type AppModule } from "../app-module";
import { AuthResolver } from "./auth.resolver";
import { authRoutes } from "./auth.rest";
import { AuthRateLimit } from "./auth-rate-limit";
import { AuthService } from "./auth.service";
import { LoginThrottle } from "./login-throttle";
import { TokenService } from "./token.service";

/** Sign-up, sign-in and sessions, over GraphQL and the REST shim. */
export const authModule: AppModule<{ auth: AuthService }> = {
  name: "auth",
  resolvers: [AuthResolver],
  create({ config, log, pubSub, services }) {
    const tokens = new TokenService(config.jwt, (revocation) => pubSub.publish("SESSIONS_REVOKED", revocation));
    const throttle = new LoginThrottle({ ...config.auth.loginThrottle, redisUrl: config.redisUrl }, log);
    const attempts = new AuthRateLimit({ ...config.authRateLimit, redisUrl: config.redisUrl }, log);
    const auth = new AuthService(peers(services, ["users"], { tokens, throttle, attempts, bcryptCost: config.auth.bcryptCost }));
    return {
      services: { auth },
      routes: [{ path: "/api/v1/auth", router: authRoutes(auth) }],
      start: () => tokens.ready(),
      stop: async () => {
        await throttle.close();
        await attempts.close();
      },
    };
  },
};

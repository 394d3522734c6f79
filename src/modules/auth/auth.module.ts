import { createMailer } from "../../infra/mail";
import { Quota } from "../../lib/quota";
import { peers, type AppModule } from "../app-module";
import { AuthResolver } from "./auth.resolver";
import { authRoutes } from "./auth.rest";
import { AuthService } from "./auth.service";
import { EmailVerificationResolver } from "./email-verification.resolver";
import { EmailVerificationService } from "./email-verification.service";
import { LoginThrottle } from "./login-throttle";
import { OidcResolver } from "./oidc.resolver";
import { OidcService } from "./oidc.service";
import { SessionCache } from "./session-cache";
import { SignInSettings } from "./sign-in-settings";
import { TokenService } from "./token.service";

/** Sign-up, sign-in (password or OpenID Connect provider) and sessions, over GraphQL and the REST shim. */
export const authModule: AppModule<{ auth: AuthService; oidc: OidcService; emailVerification: EmailVerificationService }> = {
  name: "auth",
  resolvers: [AuthResolver, OidcResolver, EmailVerificationResolver],
  create({ config, log, pubSub, services }) {
    const sessions = new SessionCache({ pubSub, log });
    const tokens = new TokenService(config.jwt, (revocation) => sessions.revoked(revocation));
    const throttle = new LoginThrottle({ ...config.auth.loginThrottle, redisUrl: config.redisUrl }, log);
    // Each attempt costs a bcrypt hash: counted in the service, so every transport shares one budget.
    const attempts = new Quota(
      {
        name: "auth_attempts_ip",
        ...config.authRateLimit,
        redisUrl: config.redisUrl,
        refusal: (seconds) => `Too many sign-up or sign-in attempts from this address; try again in ${seconds} s`,
      },
      log,
    );
    const settings = new SignInSettings();
    const auth = new AuthService(peers(services, ["users"], { tokens, sessions, throttle, attempts, settings, bcryptCost: config.auth.bcryptCost }));
    const { oidc: oidcConfig } = config;
    const oidc = new OidcService(peers(services, ["users", "identities"], { config: oidcConfig, log, auth, settings }));
    const mailer = createMailer(config.mail, log);
    const verificationRequests = new Quota(
      {
        name: "email_verification_user",
        requests: config.mail.verificationsPerHour,
        windowSeconds: 3600,
        redisUrl: config.redisUrl,
        refusal: (seconds) => `You asked for several verification mails lately; try again in ${seconds} s`,
      },
      log,
    );
    const emailVerification = new EmailVerificationService(
      peers(services, ["users"], { mailer, requests: verificationRequests, ttlSeconds: config.mail.verificationTtlSeconds, publicUrl: oidcConfig.publicUrl, log }),
    );
    return {
      services: { auth, oidc, emailVerification },
      routes: [{ path: "/api/v1/auth", router: authRoutes(auth, oidc, oidcConfig, emailVerification) }],
      // A changed user (role, name, deactivation) is read again on every instance.
      handles: {
        "user.changed": ({ userId }) => sessions.userChanged(String(userId)),
        "user.deleted": async ({ userId }) => {
          await auth.forgetUser(userId);
          await oidc.forgetUser(userId);
          await emailVerification.forgetUser(userId);
        },
      },
      async start() {
        sessions.start();
        await Promise.all([tokens.ready(), oidc.ready(), emailVerification.ready()]);
        // Without SMTP_URL in production, the outbox's log lines carry working verification links.
        if (config.isProduction && !mailer.delivers) log.warn(`mail: ${mailer.description}; nothing is delivered, verification links are only logged (set SMTP_URL)`);
        else log.info(`mail: ${mailer.description}`);
      },
      async stop() {
        await sessions.stop();
        await throttle.close();
        await attempts.close();
        await verificationRequests.close();
        await mailer.close();
      },
    };
  },
};

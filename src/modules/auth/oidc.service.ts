import { createHash, randomBytes } from "node:crypto";
import { GraphQLError } from "graphql";
import { Types } from "mongoose";
import type { OidcConfig } from "../../config";
import { raise } from "../../lib/errors";
import type { Logger } from "../../lib/logger";
import { isObjectId } from "../../lib/ids";
import type { User } from "../users/user.model";
import type { UserIdentityService } from "../users/user-identity.service";
import type { UserService } from "../users/user.service";
import type { AuthPayload, AuthService } from "./auth.service";
import { OidcAccounts } from "./oidc-accounts";
import { OidcClient } from "./oidc-client";
import { OidcFlowModel, SignInCodeModel, type OidcFlow } from "./oidc-flow.model";
import type { SignInSettings } from "./sign-in-settings";

/** A provider as a login page shows it. */
export interface SignInProvider {
  id: string;
  name: string;
  /** Path on this API that starts the sign-in (add `?redirect_to=`). */
  startPath: string;
}

/** Where the callback sends the browser: the frontend, with `sign_in_code` or `error`. */
export interface CallbackOutcome {
  location: string;
}

const hash = (value: string) => createHash("sha256").update(value).digest("hex");
const UNKNOWN_FLOW = "Unknown, expired or already used sign-in attempt (or started in another browser); start again";

/**
 * Sign-in through OpenID Connect providers: start (state, nonce and PKCE kept server-side, bound
 * to the browser), callback (code exchanged, ID token verified, account found, created or linked,
 * a one-time code for the frontend) and the exchange of that code for a session, which is the
 * same kind as a password sign-in's: same refresh rotation, logout and revocation.
 */
export class OidcService {
  private readonly clients: Map<string, OidcClient>;
  private readonly accounts: OidcAccounts;

  constructor(
    private readonly deps: {
      config: OidcConfig;
      log: Logger;
      auth: AuthService;
      users: UserService;
      identities: UserIdentityService;
      settings: SignInSettings;
    },
  ) {
    this.clients = new Map(deps.config.providers.map((provider) => [provider.id, new OidcClient(provider, deps.log)]));
    this.accounts = new OidcAccounts(deps);
  }

  async ready(): Promise<void> {
    await Promise.all([OidcFlowModel.init(), SignInCodeModel.init()]);
  }

  providers(): SignInProvider[] {
    return [...this.clients.values()].map(({ provider }) => ({
      id: provider.id,
      name: provider.name,
      startPath: `/api/v1/auth/oidc/${provider.id}/start`,
    }));
  }

  /** `redirect_to` as given when an allow-list entry admits it: same origin, and its path under the entry's. */
  private allowedRedirect(redirectTo: unknown): string {
    if (typeof redirectTo !== "string" || redirectTo.length > 2048) {
      raise("BAD_USER_INPUT", "redirect_to is required: the frontend URL to come back to (at most 2048 characters)", {
        fields: [{ field: "redirect_to", message: "is required" }],
      });
    }
    let target: URL;
    try {
      target = new URL(redirectTo);
    } catch {
      raise("BAD_USER_INPUT", "redirect_to must be an absolute URL", { fields: [{ field: "redirect_to", message: "must be an absolute URL" }] });
    }
    const allowed = this.deps.config.redirectAllowList.some((entry) => {
      const base = new URL(entry);
      if (base.origin !== target.origin || target.username || target.password) return false;
      const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
      return target.pathname === base.pathname || target.pathname.startsWith(prefix);
    });
    if (!allowed) {
      raise("BAD_USER_INPUT", "redirect_to is not in OIDC_REDIRECT_ALLOWLIST", { fields: [{ field: "redirect_to", message: "is not allowed" }] });
    }
    return target.toString();
  }

  /**
   * Where to send the browser to sign in at `providerId`; the flow is kept until the callback.
   * Each start counts as a sign-in attempt of the client's address (AUTH_RATE_LIMIT_*).
   */
  async start(providerId: string, redirectTo: unknown, browser: string, callbackUrl: string, clientIp: string | undefined): Promise<string> {
    const client = this.client(providerId);
    const target = this.allowedRedirect(redirectTo);
    let authorization: Awaited<ReturnType<OidcClient["authorizationUrl"]>>;
    try {
      await this.deps.auth.spendAttempt(clientIp);
      authorization = await client.authorizationUrl(callbackUrl);
    } catch (error) {
      return failedTo(target, providerId, error);
    }
    const { url, secrets } = authorization;
    await OidcFlowModel.create({
      state_hash: hash(secrets.state),
      browser_hash: hash(browser),
      provider: providerId,
      nonce: secrets.nonce,
      code_verifier: secrets.codeVerifier,
      redirect_to: target,
      expires_at: new Date(Date.now() + this.deps.config.flowSeconds * 1000),
    });
    return url;
  }

  /**
   * The provider sent the browser back to `callbackUrl`. The flow its `state` names (started by
   * this browser, not expired) is used up whatever happens next, so the same answer cannot be
   * played twice. BAD_USER_INPUT when there is no such flow: there is nowhere safe to send the
   * browser. Any later failure goes back to the frontend as `error` and `error_description`.
   */
  async callback(providerId: string, callbackUrl: URL, browser: string | undefined): Promise<CallbackOutcome> {
    const client = this.client(providerId);
    const state = callbackUrl.searchParams.get("state");
    const flow =
      state && browser
        ? await OidcFlowModel.findOneAndDelete({
            state_hash: hash(state),
            browser_hash: hash(browser),
            provider: providerId,
            expires_at: { $gt: new Date() },
          })
            .lean<OidcFlow>()
            .exec()
        : null;
    if (!flow) raise("BAD_USER_INPUT", UNKNOWN_FLOW, { reason: "invalid_state" });
    try {
      const claims = await client.exchange(callbackUrl, { state: state!, nonce: flow.nonce, codeVerifier: flow.code_verifier });
      const user = await this.accounts.signIn(client.provider, claims);
      return { location: withParams(flow.redirect_to, { sign_in_code: await this.issueCode(user) }) };
    } catch (error) {
      return { location: failedTo(flow.redirect_to, providerId, error) };
    }
  }

  /** A session for the one-time code; UNAUTHENTICATED when it is unknown, expired or used. */
  async exchangeCode(code: string): Promise<AuthPayload> {
    const found = await SignInCodeModel.findOneAndDelete({ code_hash: hash(code), expires_at: { $gt: new Date() } }).exec();
    if (!found) raise("UNAUTHENTICATED", "Invalid, expired or already used sign-in code; sign in again");
    const user = await this.deps.users.findById(found.user_id);
    if (!user?.is_active) raise("UNAUTHENTICATED", "Invalid, expired or already used sign-in code; sign in again");
    return this.deps.auth.startSession(user);
  }

  /**
   * Removes one of the user's linked identities, unless it is their last way to sign in: with no
   * other link, a password must remain usable (set, and password sign-in on). CONFLICT then.
   */
  async unlink(user: User, identityId: string): Promise<boolean> {
    if (!isObjectId(identityId)) raise("NOT_FOUND", "No such linked identity");
    const links = await this.deps.identities.ofUser(user._id);
    if (!links.some((link) => link._id.equals(identityId))) raise("NOT_FOUND", "No such linked identity");
    if (links.length === 1) {
      const passwordUsable = (await this.deps.settings.passwordSignIn()) && (await this.deps.users.passwordHash(user._id)) !== null;
      if (!passwordUsable) raise("CONFLICT", "This is your last way to sign in; link another provider first");
    }
    return this.deps.identities.unlink(user._id, new Types.ObjectId(identityId));
  }

  /**
   * Turns e-mail and password sign-in (and sign-up) on or off. Off needs a provider to sign in
   * with and a linked identity of the admin doing it, who would otherwise be locked out at once.
   */
  async setPasswordSignIn(admin: User, enabled: boolean): Promise<boolean> {
    if (!enabled) {
      if (this.clients.size === 0) raise("CONFLICT", "No sign-in provider is configured (OIDC_PROVIDERS): password sign-in is the only way in");
      if ((await this.deps.identities.ofUser(admin._id)).length === 0) {
        raise("CONFLICT", "Link a sign-in provider to your own account first: with password sign-in off you could not sign in again");
      }
    }
    await this.deps.settings.setPasswordSignIn(enabled);
    return enabled;
  }

  passwordSignIn(): Promise<boolean> {
    return this.deps.settings.passwordSignIn();
  }

  /** A deleted account's unused sign-in codes go with it. */
  async forgetUser(userId: Types.ObjectId): Promise<void> {
    await SignInCodeModel.deleteMany({ user_id: userId }).exec();
  }

  private async issueCode(user: User): Promise<string> {
    const code = randomBytes(32).toString("base64url");
    await SignInCodeModel.create({
      code_hash: hash(code),
      user_id: user._id,
      expires_at: new Date(Date.now() + this.deps.config.signInCodeSeconds * 1000),
    });
    return code;
  }

  private client(providerId: string): OidcClient {
    return this.clients.get(providerId) ?? raise("NOT_FOUND", `No sign-in provider "${providerId}" is configured`);
  }
}

/** The frontend URL with the failure as `error` (a short reason) and `error_description`; unexpected errors go on up. */
function failedTo(frontend: string, providerId: string, error: unknown): string {
  if (!(error instanceof GraphQLError) || !error.extensions.code) throw error;
  const { code, reason } = error.extensions;
  const short = typeof reason === "string" ? reason : String(code).toLowerCase();
  const retry = error.extensions.retryAfterSeconds;
  return withParams(frontend, {
    error: short,
    error_description: error.message,
    provider: providerId,
    ...(typeof retry === "number" ? { retry_after: String(retry) } : {}),
  });
}

function withParams(url: string, params: Record<string, string>): string {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  return target.toString();
}

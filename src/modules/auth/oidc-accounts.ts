import type { OidcProviderConfig } from "../../config";
import { raise } from "../../lib/errors";
import { emailVerified, UserRole } from "../users/user.model";
import type { User } from "../users/user.model";
import type { ProviderAccount, UserIdentityService } from "../users/user-identity.service";
import type { UserService } from "../users/user.service";
import type { IdClaims } from "./oidc-client";

const RANK: Record<UserRole, number> = { [UserRole.STUDENT]: 0, [UserRole.INSTRUCTOR]: 1, [UserRole.ADMIN]: 2 };

/**
 * Which user a verified ID token signs in: the one linked to (issuer, subject); else, on a first
 * sign-in, the account with the same e-mail when the provider says it is verified and that account
 * has no other link to the issuer; else a new student account. Nothing is created on refusal.
 */
export class OidcAccounts {
  constructor(private readonly deps: { users: UserService; identities: UserIdentityService }) {}

  async signIn(provider: OidcProviderConfig, claims: IdClaims): Promise<User> {
    const email = typeof claims.email === "string" && claims.email.includes("@") ? claims.email.trim().toLowerCase() : null;
    const account: ProviderAccount = { provider: provider.id, issuer: claims.iss, subject: claims.sub, email };
    const user = (await this.linkedUser(account)) ?? (await this.firstSignIn(account, claims.email_verified === true, displayName(claims, email)));
    if (!user.is_active) raise("FORBIDDEN", "Account is deactivated", { reason: "account_deactivated" });
    return this.withRole(await this.withVerifiedEmail(user, email, claims.email_verified === true), provider, claims);
  }

  /** A provider that says it verified the account's own address verifies it here too, at every sign-in. */
  private async withVerifiedEmail(user: User, email: string | null, providerVerified: boolean): Promise<User> {
    if (!providerVerified || !email || email !== user.email || emailVerified(user)) return user;
    return (await this.deps.users.markEmailVerified(user._id, email)) ? { ...user, verified_email: email } : user;
  }

  private async linkedUser(account: ProviderAccount): Promise<User | null> {
    const identity = await this.deps.identities.signedIn(account);
    if (!identity) return null;
    return (await this.deps.users.findById(identity.user_id)) ?? raise("UNAUTHENTICATED", "The linked account no longer exists");
  }

  private async firstSignIn(account: ProviderAccount, emailVerified: boolean, name: string): Promise<User> {
    if (!account.email) {
      raise("FORBIDDEN", "The provider did not share an e-mail address; allow the `email` scope and try again", { reason: "email_missing" });
    }
    const existing = await this.deps.users.findByEmail(account.email);
    if (existing) return this.linkExisting(existing, account, emailVerified);
    let created: User;
    try {
      created = await this.deps.users.create({ name, email: account.email });
    } catch (error) {
      // Someone took the address meanwhile (a concurrent first sign-in, a sign-up): judge it as existing.
      const raced = await this.deps.users.findByEmail(account.email);
      if (!raced) throw error;
      return this.linkExisting(raced, account, emailVerified);
    }
    if (await this.deps.identities.link(created._id, account)) return created;
    // A concurrent first sign-in of the same provider account linked first: theirs is the account.
    await this.deps.users.discardNew(created._id);
    return (await this.linkedUser(account)) ?? raise("CONFLICT", "This sign-in raced another one; try again", { reason: "account_conflict" });
  }

  private async linkExisting(user: User, account: ProviderAccount, emailVerified: boolean): Promise<User> {
    if (!emailVerified) {
      raise("CONFLICT", "An account with this e-mail exists, and the provider does not say the address is verified: sign in with your password", {
        reason: "email_not_verified",
      });
    }
    if ((await this.deps.identities.hasIssuer(user._id, account.issuer)) || !(await this.deps.identities.link(user._id, account))) {
      raise("CONFLICT", "The account with this e-mail is already linked to another account of this provider", { reason: "account_conflict" });
    }
    return user;
  }

  /**
   * The provider's claim-to-role rule, at each sign-in: the highest role its claim values give,
   * else student. Admins are left as they are: they are made and unmade by admins.
   */
  private async withRole(user: User, provider: OidcProviderConfig, claims: IdClaims): Promise<User> {
    const rule = provider.roleRule;
    if (!rule || user.role === UserRole.ADMIN) return user;
    const raw = claims[rule.claim];
    const values = (Array.isArray(raw) ? raw : [raw]).filter((value): value is string => typeof value === "string");
    const role = values
      .map((value) => rule.values[value] as UserRole | undefined)
      .reduce<UserRole>((best, next) => (next && RANK[next] > RANK[best] ? next : best), UserRole.STUDENT);
    if (role === user.role) return user;
    await this.deps.users.setFields(user._id, { role });
    return { ...user, role };
  }
}

function displayName(claims: IdClaims, email: string | null): string {
  const name = typeof claims.name === "string" ? claims.name.trim().slice(0, 100) : "";
  return name || (email ? email.split("@")[0] : "New user");
}

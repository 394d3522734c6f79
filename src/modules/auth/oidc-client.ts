import * as client from "openid-client";
import { isLoopback, type OidcProviderConfig } from "../../config";
import { raise } from "../../lib/errors";
import type { Logger } from "../../lib/logger";

/** Seconds any one request to a provider may take (discovery, keys, token exchange). */
const PROVIDER_TIMEOUT_SECONDS = 10;

/** What the callback needs to check the provider's answer. */
export interface FlowSecrets {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The claims of a verified ID token. */
export type IdClaims = client.IDToken;

/**
 * One configured provider through `openid-client`: discovery (kept once it worked, tried again
 * after a failure), the authorization URL with PKCE, state and nonce, and the code exchange,
 * which checks the ID token's issuer, audience, nonce, expiry and signature by the provider's keys.
 */
export class OidcClient {
  private configuration?: Promise<client.Configuration>;

  constructor(
    readonly provider: OidcProviderConfig,
    private readonly log: Logger,
  ) {}

  /** A fresh state, nonce and PKCE verifier, and the provider URL to send the browser to. */
  async authorizationUrl(redirectUri: string): Promise<{ url: string; secrets: FlowSecrets }> {
    const configuration = await this.discovered();
    const secrets = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier: client.randomPKCECodeVerifier() };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: this.provider.scopes.join(" "),
      state: secrets.state,
      nonce: secrets.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(secrets.codeVerifier),
      code_challenge_method: "S256",
    });
    return { url: url.toString(), secrets };
  }

  /**
   * Exchanges the code of `callbackUrl` (the full URL the provider sent the browser to) and
   * returns the verified ID token's claims. UNAUTHENTICATED, with the provider's or the check's
   * reason, when anything does not match; SERVICE_UNAVAILABLE when the provider cannot be reached.
   */
  async exchange(callbackUrl: URL, secrets: FlowSecrets): Promise<IdClaims> {
    const configuration = await this.discovered();
    try {
      const tokens = await client.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: secrets.codeVerifier,
        expectedState: secrets.state,
        expectedNonce: secrets.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims() ?? raise("UNAUTHENTICATED", "The provider sent no ID token", { reason: "invalid_id_token" });
      return await this.withUserInfo(configuration, claims, tokens.access_token);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Some providers put the e-mail (or the role rule's claim) only in the UserInfo answer, not in
   * the ID token: read it there, for the same subject, when the ID token lacks it. The ID token's
   * own claims always win.
   */
  private async withUserInfo(configuration: client.Configuration, claims: IdClaims, accessToken: string): Promise<IdClaims> {
    const wanted = ["email", ...(this.provider.roleRule ? [this.provider.roleRule.claim] : [])];
    if (wanted.every((claim) => claims[claim] !== undefined) || !configuration.serverMetadata().userinfo_endpoint) return claims;
    const userInfo = await client.fetchUserInfo(configuration, accessToken, claims.sub);
    return { ...userInfo, ...claims };
  }

  private discovered(): Promise<client.Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      this.log.warn({ provider: this.provider.id, cause: describe(error) }, "oidc: provider discovery failed");
      return raise("SERVICE_UNAVAILABLE", `${this.provider.name} cannot be reached right now; try again shortly`, { reason: "provider_unavailable" });
    });
    return this.configuration;
  }

  private async discover(): Promise<client.Configuration> {
    const { issuer, clientId, clientSecret } = this.provider;
    const url = new URL(issuer);
    const configuration = await client.discovery(
      url,
      clientId,
      clientSecret,
      clientSecret ? client.ClientSecretPost(clientSecret) : client.None(),
      {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        // Config refuses plain http except on loopback (development, tests).
        execute: url.protocol === "http:" && isLoopback(url.hostname) ? [client.allowInsecureRequests] : [],
      },
    );
    // Verify the ID token's signature too: openid-client skips it by default for tokens received over TLS.
    client.enableNonRepudiationChecks(configuration);
    return configuration;
  }

  /** openid-client's failures as our errors: what the provider or the check said, never a stack. */
  private fail(error: unknown): never {
    const name = this.provider.name;
    if (error instanceof client.AuthorizationResponseError) {
      raise("UNAUTHENTICATED", `${name} refused the sign-in: ${error.error_description ?? error.error}`, { reason: error.error });
    }
    if (error instanceof client.ResponseBodyError) {
      raise("UNAUTHENTICATED", `${name} refused the code: ${error.error_description ?? error.error}`, { reason: error.error });
    }
    if (unreachable(error) || (error instanceof client.ClientError && unreachable(error.cause))) {
      this.log.warn({ provider: this.provider.id, cause: describe(error) }, "oidc: provider request failed");
      raise("SERVICE_UNAVAILABLE", `${name} cannot be reached right now; try again shortly`, { reason: "provider_unavailable" });
    }
    if (error instanceof client.ClientError) {
      // The cause says which check failed ("unexpected JWT "aud" (audience) claim value"); the error only its kind.
      const detail = error.cause instanceof Error ? error.cause.message : error.message;
      raise("UNAUTHENTICATED", `The answer of ${name} failed verification: ${detail}`, { reason: "invalid_id_token" });
    }
    throw error;
  }
}

/**
 * fetch's failure to connect (a TypeError), or its timeout. By name: fetch's errors may come from
 * another realm than this code's (under Jest they do), where `instanceof TypeError` is false.
 */
function unreachable(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code } = error as { name?: string; code?: unknown };
  // openid-client's own TypeErrors (a bad argument: a bug here) carry an ERR_ code; fetch's do not.
  return ["TypeError", "TimeoutError", "AbortError"].includes(name ?? "") && !(typeof code === "string" && code.startsWith("ERR_"));
}

/** An outage is not a bug: one line naming the cause ("fetch failed: connect ECONNREFUSED …"), no stack. */
function describe(error: unknown): string {
  const { message, cause } = error as { message?: string; cause?: { message?: string } };
  return [message, cause?.message].filter(Boolean).join(": ");
}

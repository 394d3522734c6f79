import { ConfigError, loadConfig, type Environment } from "../../src/config";

const base: Environment = { NODE_ENV: "test", JWT_SECRET_KEY: "test secret", DATABASE_IN_MEMORY: "true" };

const load = (env: Environment) => loadConfig({ ...base, ...env });

describe("accounts settings", () => {
  it("defaults: bcrypt cost 12, 5 failures per e-mail, 100 per IP, a 15-minute window, no bootstrap admin", () => {
    expect(load({}).auth).toEqual({
      bcryptCost: 12,
      loginThrottle: { maxFailuresPerEmail: 5, maxFailuresPerIp: 100, windowSeconds: 900 },
      bootstrapAdmin: undefined,
    });
  });

  it("reads the admin with a lower-cased e-mail and a default name", () => {
    expect(load({ ADMIN_EMAIL: "Boss@Example.com", ADMIN_PASSWORD: "long enough" }).auth.bootstrapAdmin).toEqual({
      email: "boss@example.com",
      password: "long enough",
      name: "Administrator",
    });
  });

  it.each([
    [{ BCRYPT_COST: "3" }, /BCRYPT_COST/],
    [{ BCRYPT_COST: "twelve" }, /BCRYPT_COST/],
    [{ LOGIN_MAX_FAILURES: "0" }, /LOGIN_MAX_FAILURES/],
    [{ ADMIN_EMAIL: "boss@example.com" }, /ADMIN_EMAIL and ADMIN_PASSWORD/],
    [{ ADMIN_PASSWORD: "long enough" }, /ADMIN_EMAIL and ADMIN_PASSWORD/],
    [{ ADMIN_EMAIL: "boss", ADMIN_PASSWORD: "long enough" }, /ADMIN_EMAIL must be an e-mail/],
    [{ ADMIN_EMAIL: "boss@example.com", ADMIN_PASSWORD: "short" }, /ADMIN_PASSWORD must be 8 to 128/],
  ])("refuses %j naming the variable", (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });
});

describe("OpenID Connect settings", () => {
  const provider = { id: "school", name: "School", issuer: "https://id.school.example/realms/main/", clientId: "api", clientSecret: "s3cret" };
  const oidc = (providers: unknown[], extra: Environment = {}) =>
    load({ OIDC_PROVIDERS: JSON.stringify(providers), OIDC_REDIRECT_ALLOWLIST: "https://app.example/auth/done", ...extra }).oidc;

  it("defaults: no providers, 10-minute attempts, 1-minute sign-in codes", () => {
    expect(load({}).oidc).toEqual({ providers: [], redirectAllowList: [], publicUrl: undefined, flowSeconds: 600, signInCodeSeconds: 60 });
  });

  it("reads providers with default scopes, the issuer as written and a role rule", () => {
    const [read] = oidc([{ ...provider, roleClaim: "groups", roles: { teachers: "INSTRUCTOR" } }]).providers;
    expect(read).toEqual({
      id: "school",
      name: "School",
      issuer: "https://id.school.example/realms/main/",
      clientId: "api",
      clientSecret: "s3cret",
      scopes: ["openid", "email", "profile"],
      roleRule: { claim: "groups", values: { teachers: "instructor" } },
    });
    expect(oidc([{ ...provider, scopes: "email groups" }]).providers[0].scopes).toEqual(["openid", "email", "groups"]);
    expect(oidc([{ ...provider, issuer: "http://localhost:8080/realms/dev" }]).providers[0].issuer).toBe("http://localhost:8080/realms/dev");
  });

  it.each([
    [{ OIDC_PROVIDERS: "not json", OIDC_REDIRECT_ALLOWLIST: "https://app.example" }, /OIDC_PROVIDERS must be a JSON array/],
    [{ OIDC_PROVIDERS: JSON.stringify([provider]) }, /OIDC_PROVIDERS needs OIDC_REDIRECT_ALLOWLIST/],
    [{ OIDC_PROVIDERS: JSON.stringify([{ ...provider, issuer: "http://id.school.example" }]), OIDC_REDIRECT_ALLOWLIST: "https://app.example" }, /must be https/],
    [{ OIDC_PROVIDERS: JSON.stringify([{ ...provider, id: "Bad Id" }]), OIDC_REDIRECT_ALLOWLIST: "https://app.example" }, /OIDC_PROVIDERS \[0\.id\]/],
    [{ OIDC_PROVIDERS: JSON.stringify([provider, provider]), OIDC_REDIRECT_ALLOWLIST: "https://app.example" }, /used twice/],
    [{ OIDC_PROVIDERS: JSON.stringify([{ ...provider, roleClaim: "groups" }]), OIDC_REDIRECT_ALLOWLIST: "https://app.example" }, /roleClaim and roles go together/],
    [{ OIDC_PROVIDERS: JSON.stringify([{ ...provider, roles: { x: "OWNER" }, roleClaim: "g" }]), OIDC_REDIRECT_ALLOWLIST: "https://app.example" }, /roles/],
    [{ OIDC_REDIRECT_ALLOWLIST: "app.example/done" }, /OIDC_REDIRECT_ALLOWLIST entries must be http\(s\) URLs/],
    [{ OIDC_SIGN_IN_CODE_TTL: "0" }, /OIDC_SIGN_IN_CODE_TTL/],
  ])("refuses %j naming the variable", (env, message) => {
    expect(() => load(env)).toThrow(ConfigError);
    expect(() => load(env)).toThrow(message);
  });
});

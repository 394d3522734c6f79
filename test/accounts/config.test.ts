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

import { GraphQLError } from "graphql";
import pino from "pino";
import { createLogger } from "../../src/lib/logger";
import { LoginThrottle } from "../../src/modules/auth/login-throttle";

const settings = { maxFailuresPerEmail: 2, maxFailuresPerIp: 10, windowSeconds: 60 };

async function refusal(throttle: LoginThrottle, email: string, ip?: string): Promise<GraphQLError | undefined> {
  try {
    await throttle.check(email, ip);
    return undefined;
  } catch (error) {
    return error as GraphQLError;
  }
}

describe("LoginThrottle", () => {
  it("locks an e-mail after its limit, with the time left, and counts e-mails apart", async () => {
    const throttle = new LoginThrottle(settings, createLogger({ level: "silent" }));
    await throttle.failed("a@example.com", "10.0.0.1");
    expect(await refusal(throttle, "a@example.com", "10.0.0.1")).toBeUndefined();
    await throttle.failed("a@example.com", "10.0.0.1");
    const refused = await refusal(throttle, "a@example.com", "10.0.0.2");
    expect(refused?.extensions).toEqual({ code: "RATE_LIMITED", retryAfterSeconds: 60 });
    expect(await refusal(throttle, "b@example.com", "10.0.0.1")).toBeUndefined();
    await throttle.succeeded("a@example.com");
    expect(await refusal(throttle, "a@example.com", "10.0.0.1")).toBeUndefined();
    await throttle.close();
  });

  it("keeps counting in memory when Redis is unreachable, and warns", async () => {
    const warnings: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
    const throttle = new LoginThrottle({ ...settings, redisUrl: "redis://127.0.0.1:1" }, log);
    await throttle.failed("c@example.com", undefined);
    await throttle.failed("c@example.com", undefined);
    expect((await refusal(throttle, "c@example.com", undefined))?.extensions?.code).toBe("RATE_LIMITED");
    while (warnings.length === 0) await new Promise((done) => setTimeout(done, 20));
    expect(warnings.join("")).toMatch(/Redis unavailable/);
    await throttle.close();
  });
});

import { CHROMIUM, plan, REDIS, type Machine } from "./requirements";

function machine(overrides: Partial<Machine> & { on?: string[] }): Machine {
  const on = overrides.on ?? [];
  return {
    env: {},
    isRoot: false,
    distribution: "debian",
    find: (names) => names.find((name) => on.includes(name)),
    ...overrides,
  };
}

describe("what the test setup does about Redis and Chromium", () => {
  it("uses what the machine has", () => {
    const next = plan(machine({ on: ["redis-server", "/usr/bin/chromium"] }), [REDIS, CHROMIUM]);
    expect(next.action).toBe("ready");
    if (next.action === "ready") {
      expect(next.found.get(REDIS)).toBe("redis-server");
      expect(next.found.get(CHROMIUM)).toBe("/usr/bin/chromium");
    }
  });

  it("takes the variables as given, without looking for programs", () => {
    const next = plan(machine({ env: { REDIS_TEST_URL: "redis://elsewhere:6379", CHROMIUM_PATH: "/opt/chrome" } }), [REDIS, CHROMIUM]);
    expect(next.action).toBe("ready");
    if (next.action === "ready") expect([...next.found.values()]).toEqual([undefined, undefined]);
  });

  it("installs what is missing with apt-get as root", () => {
    const next = plan(machine({ isRoot: true, on: ["apt-get"] }), [REDIS, CHROMIUM]);
    expect(next).toMatchObject({
      action: "install",
      packages: ["redis-server", "chromium"],
      command: [["apt-get", "update"], ["apt-get", "install", "-y", "redis-server", "chromium"]],
    });
  });

  it("stops a user who is not root with the one command that fixes it", () => {
    const next = plan(machine({ on: ["apt-get", "/usr/bin/chromium"] }), [REDIS, CHROMIUM]);
    expect(next.action).toBe("stop");
    if (next.action === "stop") {
      expect(next.message).toContain("sudo apt-get install -y redis-server\n");
      expect(next.message).toContain("REDIS_TEST_URL");
    }
  });

  it("names Ubuntu's package for Chromium", () => {
    const next = plan(machine({ distribution: "ubuntu", on: ["redis-server"] }), [REDIS, CHROMIUM]);
    expect(next.action === "stop" && next.message).toContain("sudo apt-get install -y chromium-browser");
  });
});

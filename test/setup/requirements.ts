/**
 * What the test suite needs from the machine besides Node: a Redis server (the Redis tests) and a
 * Chromium (the IDE test). Each is taken from its variable when set, else found on the machine;
 * what is missing is installed with apt-get when we are root, and otherwise the run stops at once
 * with the one command that installs it.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

export interface Machine {
  env: NodeJS.ProcessEnv;
  isRoot: boolean;
  /** The first executable among `names` on PATH or given as absolute paths, if any. */
  find(names: string[]): string | undefined;
  /** `debian`, `ubuntu`, … from /etc/os-release. */
  distribution: string;
}

export interface Requirement {
  /** What the tests use it for, said when it is installed or missing. */
  purpose: string;
  /** The variable that names one already running or installed elsewhere. */
  variable: string;
  executables: string[];
  /** The apt package that provides it on Debian and on Ubuntu. */
  aptPackage(distribution: string): string;
}

export const REDIS: Requirement = {
  purpose: "the Redis tests start a private redis-server",
  variable: "REDIS_TEST_URL",
  executables: ["redis-server"],
  aptPackage: () => "redis-server",
};

export const CHROMIUM: Requirement = {
  purpose: "the IDE test drives Chromium through puppeteer-core, which never downloads a browser",
  variable: "CHROMIUM_PATH",
  executables: ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/snap/bin/chromium"],
  // Ubuntu ships Chromium as a snap behind its `chromium-browser` package.
  aptPackage: (distribution) => (distribution === "ubuntu" ? "chromium-browser" : "chromium"),
};

export type Plan =
  | { action: "ready"; found: Map<Requirement, string | undefined> }
  | { action: "install"; packages: string[]; command: string[][] }
  | { action: "stop"; message: string };

/** A requirement is met by its variable (used as given) or by an executable on the machine. */
export function plan(machine: Machine, requirements: Requirement[]): Plan {
  const found = new Map<Requirement, string | undefined>();
  const missing: Requirement[] = [];
  for (const requirement of requirements) {
    if (machine.env[requirement.variable]) {
      found.set(requirement, undefined);
      continue;
    }
    const path = machine.find(requirement.executables);
    if (path) found.set(requirement, path);
    else missing.push(requirement);
  }
  if (missing.length === 0) return { action: "ready", found };
  const packages = missing.map((r) => r.aptPackage(machine.distribution));
  const canInstall = machine.isRoot && machine.find(["apt-get"]) !== undefined;
  if (canInstall) {
    return { action: "install", packages, command: [["apt-get", "update"], ["apt-get", "install", "-y", ...packages]] };
  }
  const why = missing.map((r) => `  ${r.aptPackage(machine.distribution)}: ${r.purpose} (or set ${r.variable})`).join("\n");
  return {
    action: "stop",
    message: `The tests need programs this machine lacks:\n${why}\nInstall them with:\n\n  sudo apt-get install -y ${packages.join(" ")}\n`,
  };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function thisMachine(): Machine {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  let distribution = "";
  try {
    distribution = /^ID=["']?([\w-]+)/m.exec(readFileSync("/etc/os-release", "utf8"))?.[1] ?? "";
  } catch {
    // Not Linux, or no os-release: the Debian package names are the best guess.
  }
  return {
    env: process.env,
    isRoot: process.getuid?.() === 0,
    distribution,
    find: (names) =>
      names.flatMap((name) => (name.startsWith("/") ? [name] : dirs.map((dir) => join(dir, name)))).find(executable),
  };
}

/** Makes every requirement available or throws with the command that does. */
export function meet(requirements: Requirement[], machine = thisMachine()): Map<Requirement, string | undefined> {
  let next = plan(machine, requirements);
  if (next.action === "install") {
    console.log(`\ntest setup: installing ${next.packages.join(" ")} with apt-get (${requirements.map((r) => r.purpose).join("; ")})`);
    for (const [program, ...args] of next.command) {
      const run = spawnSync(program, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
      if (run.status !== 0) throw new Error(`test setup: \`${program} ${args.join(" ")}\` failed (exit ${run.status ?? run.signal})`);
    }
    next = plan(machine, requirements);
  }
  if (next.action === "stop") throw new Error(next.message);
  if (next.action === "install") throw new Error(`test setup: apt-get installed ${next.packages.join(" ")} but they are still not found`);
  return next.found;
}

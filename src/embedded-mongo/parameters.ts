import type { Document } from "bson";
import { commandError } from "./errors";
import { FEATURE_COMPATIBILITY_VERSION } from "./version";

/** One settable server parameter: its current value and how a new one is checked. */
interface Parameter {
  value: unknown;
  check(value: unknown): unknown;
}

function positiveInt(name: string) {
  return (value: unknown) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1) throw commandError("BadValue", `${name} must be a positive whole number`);
    return value;
  };
}

function boolean(name: string) {
  return (value: unknown) => {
    if (typeof value !== "boolean") throw commandError("BadValue", `${name} must be true or false`);
    return value;
  };
}

function readOnly(name: string) {
  return () => {
    throw commandError("IllegalOperation", `${name} cannot be set at runtime`);
  };
}

/**
 * The server parameters `getParameter` reports and `setParameter` changes (mongod's names). Only
 * those the engine acts on are settable: the TTL monitor reads its two on every tick.
 */
export class ServerParameters {
  private readonly parameters: Record<string, Parameter> = {
    // mongod sleeps 60 s between passes; the engine's pass walks only expired index entries, so 1 s costs little.
    ttlMonitorSleepSecs: { value: 1, check: positiveInt("ttlMonitorSleepSecs") },
    ttlMonitorEnabled: { value: true, check: boolean("ttlMonitorEnabled") },
    authenticationMechanisms: { value: ["SCRAM-SHA-256"], check: readOnly("authenticationMechanisms") },
    featureCompatibilityVersion: { value: { version: FEATURE_COMPATIBILITY_VERSION }, check: readOnly("featureCompatibilityVersion") },
  };

  get ttlMonitorSleepMs(): number {
    return (this.parameters.ttlMonitorSleepSecs.value as number) * 1000;
  }

  get ttlMonitorEnabled(): boolean {
    return this.parameters.ttlMonitorEnabled.value as boolean;
  }

  /** The named parameters' values, or every parameter's for `"*"`. */
  get(names: string[] | "*"): Document {
    const wanted = names === "*" ? Object.keys(this.parameters) : names;
    if (wanted.length === 0) throw commandError("InvalidOptions", "no option found to get");
    const reply: Document = {};
    for (const name of wanted) reply[name] = this.find(name, "get").value;
    return reply;
  }

  /** Sets one parameter after checking the value; answers the previous one. */
  set(name: string, value: unknown): unknown {
    const parameter = this.find(name, "set");
    const was = parameter.value;
    parameter.value = parameter.check(value);
    return was;
  }

  private find(name: string, verb: "get" | "set"): Parameter {
    if (!Object.hasOwn(this.parameters, name)) {
      throw commandError("InvalidOptions", verb === "set" ? `attempted to set unrecognized parameter [${name}], use help:true to see options` : `no option found to get: ${name}`);
    }
    return this.parameters[name];
  }
}

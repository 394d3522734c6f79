import type { Document } from "bson";
import { match } from "./match";

/** What the server under test is, as far as runOnRequirements can ask. */
export interface ServerInfo {
  version: number[];
  topology: "single" | "replicaset" | "sharded" | "load-balanced";
  serverless: boolean;
  auth: boolean;
  csfle: boolean;
  /** getParameter('*') reply, or undefined when the server does not answer it. */
  parameters?: Document;
}

/** Why a test cannot run here: `category` groups the totals, `detail` is printed per test. */
export interface NotApplicable {
  category: string;
  detail: string;
}

export interface RunOnRequirement {
  minServerVersion?: string;
  maxServerVersion?: string;
  topologies?: string[];
  serverless?: "require" | "forbid" | "allow";
  auth?: boolean;
  authMechanism?: string;
  csfle?: boolean;
  serverParameters?: Document;
}

export function parseVersion(text: string): number[] {
  const parts = text.split(/[^0-9.]/)[0].split(".").map(Number);
  return [0, 1, 2].map((i) => parts[i] ?? 0);
}

export function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

const showVersion = (v: number[]) => v.join(".");

function unmet(requirement: RunOnRequirement, server: ServerInfo): NotApplicable | undefined {
  const { minServerVersion, maxServerVersion } = requirement;
  if (minServerVersion && compareVersions(server.version, parseVersion(minServerVersion)) < 0) {
    return {
      category: "needs a newer server than the engine reports",
      detail: `requires server >= ${minServerVersion}, engine reports ${showVersion(server.version)}`,
    };
  }
  if (maxServerVersion && compareVersions(server.version, parseVersion(maxServerVersion)) > 0) {
    return {
      category: "needs an older server than the engine reports",
      detail: `requires server <= ${maxServerVersion}, engine reports ${showVersion(server.version)}`,
    };
  }
  if (requirement.topologies) {
    // "sharded" also accepts a sharded cluster of replica sets.
    const accepted = requirement.topologies.flatMap((t) => (t === "sharded-replicaset" ? ["sharded"] : [t]));
    if (!accepted.includes(server.topology)) {
      return {
        category: "needs a replica set, sharded or load-balanced topology",
        detail: `requires topology ${requirement.topologies.join("|")}, server is ${server.topology}`,
      };
    }
  }
  if (requirement.serverless === "require" && !server.serverless) {
    return { category: "needs Atlas Serverless", detail: "requires Atlas Serverless" };
  }
  if (requirement.serverless === "forbid" && server.serverless) {
    return { category: "forbidden on Atlas Serverless", detail: "forbidden on Atlas Serverless" };
  }
  if (requirement.auth !== undefined && requirement.auth !== server.auth) {
    return {
      category: requirement.auth ? "needs authentication" : "needs authentication disabled",
      detail: requirement.auth ? "requires authentication, server has none" : "requires authentication disabled",
    };
  }
  if (requirement.authMechanism !== undefined) {
    return { category: "needs authentication", detail: `requires auth mechanism ${requirement.authMechanism}` };
  }
  if (requirement.csfle !== undefined && requirement.csfle !== server.csfle) {
    return {
      category: requirement.csfle ? "needs client-side field level encryption" : "needs CSFLE unavailable",
      detail: requirement.csfle ? "requires CSFLE (mongodb-client-encryption is not installed)" : "requires CSFLE unavailable",
    };
  }
  if (requirement.serverParameters) {
    for (const [name, wanted] of Object.entries(requirement.serverParameters)) {
      const actual = server.parameters?.[name];
      if (actual === undefined || match(wanted, actual) !== undefined) {
        return {
          category: "needs server parameters",
          detail: `requires server parameter ${name} = ${JSON.stringify(wanted)}, server has ${JSON.stringify(actual ?? null)}`,
        };
      }
    }
  }
  return undefined;
}

/** runOnRequirements are alternatives: the tests run when any one of them is met. */
export function checkRequirements(requirements: RunOnRequirement[] | undefined, server: ServerInfo): NotApplicable | undefined {
  if (!requirements || requirements.length === 0) return undefined;
  const reasons: NotApplicable[] = [];
  for (const requirement of requirements) {
    const reason = unmet(requirement, server);
    if (!reason) return undefined;
    reasons.push(reason);
  }
  return { category: reasons[0].category, detail: reasons.map((r) => r.detail).join("; or ") };
}

interface OperationLike {
  name: string;
  arguments?: Document;
}

const STANDALONE_IMPOSSIBLE: Record<string, NotApplicable> = {
  failPoint: {
    category: "needs fail points (configureFailPoint)",
    detail: "uses failPoint (configureFailPoint is a test command a standalone engine does not offer)",
  },
  targetedFailPoint: {
    category: "needs fail points (configureFailPoint)",
    detail: "uses targetedFailPoint (mongos fail points)",
  },
};

/** Features used by the operations themselves that a standalone engine cannot have. */
export function checkOperations(operations: OperationLike[]): NotApplicable | undefined {
  for (const operation of operations) {
    const impossible = STANDALONE_IMPOSSIBLE[operation.name];
    if (impossible) return impossible;
    if (operation.arguments && "rawData" in operation.arguments) {
      return { category: "needs rawData (time-series buckets)", detail: `${operation.name} passes rawData` };
    }
  }
  return undefined;
}

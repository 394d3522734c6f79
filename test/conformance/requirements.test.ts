import { checkOperations, checkRequirements, compareVersions, parseVersion, type ServerInfo } from "./requirements";

const standalone: ServerInfo = { version: [7, 0, 0], topology: "single", serverless: false, auth: false, csfle: false };

describe("runOnRequirements", () => {
  it("parses and compares versions component by component", () => {
    expect(parseVersion("4.9.0-alpha4-271-g7d5cf02")).toEqual([4, 9, 0]);
    expect(parseVersion("3.6")).toEqual([3, 6, 0]);
    expect(compareVersions(parseVersion("4.0.10"), parseVersion("4.0.9"))).toBeGreaterThan(0);
    expect(compareVersions(parseVersion("4.2"), parseVersion("4.2.0"))).toBe(0);
  });

  it("runs when any requirement is met", () => {
    expect(checkRequirements(undefined, standalone)).toBeUndefined();
    expect(checkRequirements([{ minServerVersion: "8.0" }, { maxServerVersion: "7.99" }], standalone)).toBeUndefined();
    expect(checkRequirements([{ minServerVersion: "4.2", serverless: "forbid", topologies: ["single", "replicaset"] }], standalone)).toBeUndefined();
  });

  it("explains unmet versions and topologies", () => {
    expect(checkRequirements([{ minServerVersion: "8.0" }], standalone)?.detail).toBe("requires server >= 8.0, engine reports 7.0.0");
    expect(checkRequirements([{ maxServerVersion: "4.4.99" }], standalone)?.category).toMatch(/older server/);
    const topology = checkRequirements([{ topologies: ["replicaset"] }, { topologies: ["sharded"] }], standalone);
    expect(topology?.detail).toBe("requires topology replicaset, server is single; or requires topology sharded, server is single");
  });

  it("treats serverless, auth, csfle and server parameters honestly", () => {
    expect(checkRequirements([{ serverless: "require" }], standalone)?.category).toBe("needs Atlas Serverless");
    expect(checkRequirements([{ auth: true }], standalone)?.category).toBe("needs authentication");
    expect(checkRequirements([{ auth: false }], standalone)).toBeUndefined();
    expect(checkRequirements([{ csfle: true }], standalone)?.detail).toMatch(/CSFLE/);
    expect(checkRequirements([{ serverParameters: { enableTestCommands: true } }], standalone)?.category).toBe("needs server parameters");
    const withParameters = { ...standalone, parameters: { enableTestCommands: 1 } };
    expect(checkRequirements([{ serverParameters: { enableTestCommands: true } }], withParameters)?.category).toBe("needs server parameters");
    expect(checkRequirements([{ serverParameters: { enableTestCommands: 1.0 } }], withParameters)).toBeUndefined();
  });
});

describe("operations a standalone engine cannot have", () => {
  it("flags failPoint and rawData, not clientBulkWrite (the engine has the 8.0 bulkWrite command)", () => {
    expect(checkOperations([{ name: "insertOne" }, { name: "failPoint" }])?.category).toMatch(/fail points/);
    expect(checkOperations([{ name: "clientBulkWrite" }])).toBeUndefined();
    expect(checkOperations([{ name: "find", arguments: { filter: {}, rawData: true } }])?.category).toMatch(/rawData/);
    expect(checkOperations([{ name: "find", arguments: { filter: {} } }])).toBeUndefined();
  });
});

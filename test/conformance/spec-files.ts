import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EJSON, type Document } from "bson";
import type { RunOnRequirement } from "./requirements";

/** The parts of the unified test format these CRUD files use (schema 1.x). */
export interface EntityDescription {
  client?: {
    id: string;
    uriOptions?: Document;
    useMultipleMongoses?: boolean;
    observeEvents?: string[];
    ignoreCommandMonitoringEvents?: string[];
    observeSensitiveCommands?: boolean;
    storeEventsAsEntities?: unknown[];
    serverApi?: { version: string; strict?: boolean; deprecationErrors?: boolean };
  };
  database?: { id: string; client: string; databaseName: string; databaseOptions?: Document };
  collection?: { id: string; database: string; collectionName: string; collectionOptions?: Document };
  session?: { id: string; client: string; sessionOptions?: Document };
}

export interface CollectionData {
  collectionName: string;
  databaseName: string;
  createOptions?: Document;
  documents: Document[];
}

export interface ExpectedError {
  isError?: boolean;
  isClientError?: boolean;
  isTimeoutError?: boolean;
  errorContains?: string;
  errorCode?: number;
  errorCodeName?: string;
  errorLabelsContain?: string[];
  errorLabelsOmit?: string[];
  writeErrors?: Document;
  writeConcernErrors?: Document[];
  errorResponse?: Document;
  expectResult?: unknown;
}

export interface Operation {
  name: string;
  object: string;
  arguments?: Document;
  expectResult?: unknown;
  expectError?: ExpectedError;
  saveResultAsEntity?: string;
  ignoreResultAndError?: boolean;
}

export interface ExpectedEventsForClient {
  client: string;
  eventType?: "command" | "cmap" | "sdam";
  events: Document[];
  ignoreExtraEvents?: boolean;
}

export interface TestCase {
  description: string;
  runOnRequirements?: RunOnRequirement[];
  skipReason?: string;
  operations: Operation[];
  expectEvents?: ExpectedEventsForClient[];
  outcome?: CollectionData[];
}

export interface SpecFile {
  /** File name, e.g. `insertOne.json`. */
  name: string;
  description: string;
  schemaVersion: string;
  runOnRequirements?: RunOnRequirement[];
  createEntities?: EntityDescription[];
  initialData?: CollectionData[];
  tests: TestCase[];
}

/**
 * Canonical mode keeps every BSON type the file spells out ($numberLong, $numberDouble, ...);
 * operations/arguments.ts turns the values back into what the driver's API expects.
 */
export function parseSpecFile(name: string, text: string): SpecFile {
  return { name, ...(EJSON.parse(text, { relaxed: false }) as Omit<SpecFile, "name">) };
}

export function listSpecFiles(dir: string, filter?: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .filter((name) => !filter || name.includes(filter))
    .sort();
}

export function loadSpecFile(dir: string, name: string): SpecFile {
  return parseSpecFile(name, readFileSync(join(dir, name), "utf8"));
}

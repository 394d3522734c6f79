import type { Document } from "bson";
import type { CapturedEvent } from "./entities";
import { match, type MatchContext } from "./match";
import type { ExpectedEventsForClient } from "./spec-files";

const COMMAND_EVENT_KINDS = new Set(["commandStartedEvent", "commandSucceededEvent", "commandFailedEvent"]);
const CHECKED_FIELDS = new Set(["command", "reply", "commandName", "databaseName"]);

function expectedName(event: Document): string {
  const [kind] = Object.keys(event);
  const fields = (event[kind] ?? {}) as Document;
  const name = fields.commandName ?? (fields.command ? Object.keys(fields.command)[0] : "?");
  return kind === "commandStartedEvent" ? name : `${name} ${kind.replace(/^command|Event$/g, "").toLowerCase()}`;
}

function actualName(event: CapturedEvent): string {
  return event.kind === "commandStartedEvent" ? event.commandName : `${event.commandName} ${event.kind.replace(/^command|Event$/g, "").toLowerCase()}`;
}

function checkEvent(expected: Document, actual: CapturedEvent, at: string, context: MatchContext): string | undefined {
  const [kind] = Object.keys(expected);
  if (!COMMAND_EVENT_KINDS.has(kind)) throw new Error(`runner: unsupported expected event ${kind}`);
  const fields = expected[kind] as Document;
  const unsupported = Object.keys(fields).filter((f) => !CHECKED_FIELDS.has(f));
  if (unsupported.length > 0) throw new Error(`runner: unsupported event assertion(s) ${unsupported.join(", ")}`);
  if (actual.kind !== kind) return `${at}: expected ${kind}, got ${actual.kind} (${actual.commandName})`;
  if (fields.commandName !== undefined && fields.commandName !== actual.commandName) {
    return `${at}: expected command ${fields.commandName}, got ${actual.commandName}`;
  }
  if (fields.databaseName !== undefined && fields.databaseName !== actual.databaseName) {
    return `${at}: expected database ${fields.databaseName}, got ${actual.databaseName}`;
  }
  if (fields.command !== undefined) {
    const failure = match(fields.command, actual.command, { root: true, path: `${at} ${actual.commandName} command`, context });
    if (failure) return failure;
  }
  if (fields.reply !== undefined) {
    const failure = match(fields.reply, actual.reply, { root: true, path: `${at} ${actual.commandName} reply`, context });
    if (failure) return failure;
  }
  return undefined;
}

/** Checks one expectedEventsForClient against the command events its client observed. */
export function checkEvents(expected: ExpectedEventsForClient, observed: CapturedEvent[], context: MatchContext): string | undefined {
  if ((expected.eventType ?? "command") !== "command") throw new Error(`runner: ${expected.eventType} events are not supported`);
  const actual = expected.ignoreExtraEvents ? observed.slice(0, expected.events.length) : observed;
  if (actual.length !== expected.events.length) {
    return `${expected.client}: expected ${expected.events.length} event(s) [${expected.events.map(expectedName).join(", ")}], got ${observed.length} [${observed.map(actualName).join(", ")}]`;
  }
  for (let i = 0; i < actual.length; i++) {
    const failure = checkEvent(expected.events[i], actual[i], `${expected.client} event ${i}`, context);
    if (failure) return failure;
  }
  return undefined;
}

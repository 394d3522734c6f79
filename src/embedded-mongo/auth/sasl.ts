import { Binary, type Document } from "bson";
import { commandError } from "../errors";
import type { CommandContext, CommandTable } from "../commands/context";
import { ScramConversation, ScramError } from "./scram";
import { findUser } from "./users";

let nextConversationId = 1;

function payloadText(command: Document): string {
  const payload = command.payload;
  if (payload instanceof Binary) return Buffer.from(payload.buffer.subarray(0, payload.position)).toString("utf8");
  if (payload instanceof Uint8Array) return Buffer.from(payload).toString("utf8");
  if (typeof payload === "string") return payload;
  throw commandError("BadValue", "Missing or invalid SASL payload");
}

const reply = (id: number, done: boolean, text: string): Document => ({ conversationId: id, done, payload: new Binary(Buffer.from(text, "utf8")), ok: 1 });

function authenticationFailed(): never {
  throw commandError("AuthenticationFailed", "Authentication failed.");
}

function saslStart(command: Document, ctx: CommandContext): Document {
  if (command.mechanism !== "SCRAM-SHA-256") {
    throw commandError("MechanismUnavailable", `Received authentication for mechanism ${String(command.mechanism)} which is unknown or not enabled`);
  }
  const db = ctx.db;
  const scram = new ScramConversation((user) => findUser(ctx.engine, db, user)?.credentials["SCRAM-SHA-256"]);
  let serverFirst: string;
  try {
    serverFirst = scram.start(payloadText(command));
  } catch (error) {
    if (error instanceof ScramError) authenticationFailed();
    throw error;
  }
  const id = nextConversationId++;
  const skipEmptyExchange = Boolean((command.options as Document | undefined)?.skipEmptyExchange);
  ctx.auth.conversation = { id, db, scram, done: false, skipEmptyExchange };
  return reply(id, false, serverFirst);
}

function saslContinue(command: Document, ctx: CommandContext): Document {
  const conversation = ctx.auth.conversation;
  if (!conversation || Number(command.conversationId) !== conversation.id) throw commandError("ProtocolError", "No SASL session state found");
  if (conversation.done) {
    // The empty final exchange of clients that did not ask to skip it.
    ctx.auth.conversation = undefined;
    return reply(conversation.id, true, "");
  }
  let serverFinal: string;
  try {
    serverFinal = conversation.scram.finish(payloadText(command));
  } catch (error) {
    ctx.auth.conversation = undefined;
    if (error instanceof ScramError) authenticationFailed();
    throw error;
  }
  const user = findUser(ctx.engine, conversation.db, conversation.scram.user);
  if (!user) authenticationFailed();
  ctx.auth.users.set(`${user.db}.${user.user}`, { user: user.user, db: user.db, roles: user.roles });
  conversation.done = true;
  if (conversation.skipEmptyExchange) ctx.auth.conversation = undefined;
  return reply(conversation.id, conversation.skipEmptyExchange, serverFinal);
}

function logout(_command: Document, ctx: CommandContext): Document {
  ctx.auth.users.clear();
  return { ok: 1 };
}

export const saslCommands: CommandTable = {
  saslstart: saslStart,
  saslcontinue: saslContinue,
  logout,
};

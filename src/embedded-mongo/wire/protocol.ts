import { BSON, type Document } from "bson";
import { deserializeDocument } from "./bson-values";
import { crc32c } from "./crc32c";

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_SIZE = 16;
const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;
const EXHAUST_ALLOWED = 1 << 16;
const KNOWN_MSG_FLAGS = CHECKSUM_PRESENT | MORE_TO_COME | EXHAUST_ALLOWED;


/** A client request decoded from either opcode, normalised to one command document. */
export interface Request {
  requestId: number;
  opCode: typeof OP_QUERY | typeof OP_MSG;
  command: Document;
  /** Database from `$db` (OP_MSG) or from `<db>.$cmd` (OP_QUERY). */
  db: string;
  /** OP_MSG moreToCome: the client expects no reply. */
  moreToCome: boolean;
}

/** Thrown for bytes that are not a valid message; the connection is closed, the server keeps serving. */
export class ProtocolError extends Error {}

export function decodeMessage(message: Buffer): Request {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) return decodeOpMsg(message, requestId);
  if (opCode === OP_QUERY) return decodeOpQuery(message, requestId);
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

function bsonLength(buf: Buffer, offset: number, end: number): number {
  if (offset + 5 > end) throw new ProtocolError("truncated BSON document");
  const length = buf.readInt32LE(offset);
  if (length < 5 || offset + length > end) throw new ProtocolError("invalid BSON document length");
  return length;
}

function deserializeAt(buf: Buffer, offset: number, length: number): Document {
  try {
    return deserializeDocument(buf.subarray(offset, offset + length));
  } catch (error) {
    throw new ProtocolError(`invalid BSON: ${(error as Error).message}`);
  }
}

function decodeOpMsg(message: Buffer, requestId: number): Request {
  const flags = message.readUInt32LE(HEADER_SIZE);
  if (flags & ~KNOWN_MSG_FLAGS & 0xffff) throw new ProtocolError(`unknown required OP_MSG flag bits ${flags}`);
  let end = message.length;
  if (flags & CHECKSUM_PRESENT) {
    end -= 4;
    if (end < HEADER_SIZE + 4) throw new ProtocolError("message too short for its checksum");
    const expected = message.readUInt32LE(end);
    if (crc32c(message.subarray(0, end)) !== expected) throw new ProtocolError("OP_MSG checksum mismatch");
  }
  let offset = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = message[offset++];
    if (kind === 0) {
      if (body) throw new ProtocolError("OP_MSG with more than one body section");
      const length = bsonLength(message, offset, end);
      body = deserializeAt(message, offset, length);
      offset += length;
    } else if (kind === 1) {
      if (offset + 4 > end) throw new ProtocolError("truncated document sequence");
      const size = message.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError("invalid document sequence size");
      const nameEnd = message.indexOf(0, offset + 4);
      if (nameEnd < 0 || nameEnd >= sectionEnd) throw new ProtocolError("unterminated sequence identifier");
      const identifier = message.toString("utf8", offset + 4, nameEnd);
      const docs: Document[] = [];
      let pos = nameEnd + 1;
      while (pos < sectionEnd) {
        const length = bsonLength(message, pos, sectionEnd);
        docs.push(deserializeAt(message, pos, length));
        pos += length;
      }
      sequences.push([identifier, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError("OP_MSG without a body section");
  for (const [identifier, docs] of sequences) body[identifier] = docs;
  const db = body.$db;
  if (typeof db !== "string") throw new ProtocolError("OP_MSG body without $db");
  return { requestId, opCode: OP_MSG, command: body, db, moreToCome: (flags & MORE_TO_COME) !== 0 };
}

function decodeOpQuery(message: Buffer, requestId: number): Request {
  const nameStart = HEADER_SIZE + 4;
  const nameEnd = message.indexOf(0, nameStart);
  if (nameEnd < 0) throw new ProtocolError("unterminated OP_QUERY collection name");
  const fullName = message.toString("utf8", nameStart, nameEnd);
  const queryStart = nameEnd + 1 + 8;
  const length = bsonLength(message, queryStart, message.length);
  let command = deserializeAt(message, queryStart, length);
  // Legacy drivers wrap the command as {$query: {...}, $readPreference: ...}.
  if (command.$query && typeof command.$query === "object") command = command.$query as Document;
  const dot = fullName.indexOf(".");
  if (dot < 0 || fullName.slice(dot + 1) !== "$cmd") throw new ProtocolError(`OP_QUERY is only supported on <db>.$cmd, got ${fullName}`);
  return { requestId, opCode: OP_QUERY, command, db: fullName.slice(0, dot), moreToCome: false };
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_SIZE);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

export function encodeOpMsgReply(responseTo: number, reply: Document): Buffer {
  const body = BSON.serialize(reply);
  const prefix = Buffer.allocUnsafe(5);
  prefix.writeUInt32LE(0, 0);
  prefix[4] = 0;
  return Buffer.concat([header(HEADER_SIZE + 5 + body.length, responseTo, OP_MSG), prefix, body]);
}

export function encodeOpReply(responseTo: number, reply: Document): Buffer {
  const body = BSON.serialize(reply);
  const fields = Buffer.alloc(20);
  fields.writeInt32LE(0, 0); // responseFlags
  fields.writeBigInt64LE(0n, 4); // cursorID
  fields.writeInt32LE(0, 12); // startingFrom
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([header(HEADER_SIZE + 20 + body.length, responseTo, OP_REPLY), fields, body]);
}

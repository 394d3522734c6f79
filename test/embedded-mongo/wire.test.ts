import { BSON, Long, type Document } from "bson";
import { connect, type Socket } from "node:net";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { crc32c } from "../../src/embedded-mongo/wire/crc32c";

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

let server: EmbeddedMongo;
beforeAll(async () => {
  server = await startEmbeddedMongo();
});
afterAll(() => server.stop());

function header(length: number, requestId: number, opCode: number): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(opCode, 12);
  return buf;
}

function opMsg(requestId: number, body: Document, options: { flags?: number; sequence?: [string, Document[]]; checksum?: boolean } = {}): Buffer {
  const sections = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  if (options.sequence) {
    const [identifier, docs] = options.sequence;
    const payload = Buffer.concat([Buffer.from(identifier + "\0"), ...docs.map((doc) => Buffer.from(BSON.serialize(doc)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    sections.push(Buffer.from([1]), size, payload);
  }
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE((options.flags ?? 0) | (options.checksum ? 1 : 0));
  const content = Buffer.concat([flags, ...sections]);
  const length = 16 + content.length + (options.checksum ? 4 : 0);
  const message = Buffer.concat([header(length, requestId, OP_MSG), content]);
  if (!options.checksum) return message;
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32c(message));
  return Buffer.concat([message, crc]);
}

function opQuery(requestId: number, collection: string, query: Document): Buffer {
  const fields = Buffer.concat([Buffer.alloc(4), Buffer.from(collection + "\0"), Buffer.alloc(8), Buffer.from(BSON.serialize(query))]);
  return Buffer.concat([header(16 + fields.length, requestId, OP_QUERY), fields]);
}

interface Reply {
  responseTo: number;
  opCode: number;
  doc: Document;
}

/** A raw client: collects whole replies from the socket. */
class RawClient {
  readonly socket: Socket;
  private buffer = Buffer.alloc(0);
  private readonly replies: Reply[] = [];
  private waiters: Array<() => void> = [];
  closed = false;

  constructor(port: number) {
    this.socket = connect(port, "127.0.0.1");
    this.socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      while (this.buffer.length >= 4 && this.buffer.length >= this.buffer.readInt32LE(0)) {
        const length = this.buffer.readInt32LE(0);
        const message = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        const opCode = message.readInt32LE(12);
        const docStart = opCode === OP_REPLY ? 36 : 21;
        this.replies.push({ responseTo: message.readInt32LE(8), opCode, doc: BSON.deserialize(message.subarray(docStart), { promoteLongs: false }) });
      }
      this.wake();
    });
    this.socket.on("close", () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake() {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }

  async next(count = 1): Promise<Reply[]> {
    while (this.replies.length < count && !this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.replies.splice(0, count);
  }

  async waitClosed(): Promise<void> {
    while (!this.closed) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  send(bytes: Buffer) {
    this.socket.write(bytes);
  }

  close() {
    this.socket.destroy();
  }
}

describe("wire protocol", () => {
  it("answers the legacy OP_QUERY handshake with OP_REPLY as a standalone server", async () => {
    const client = new RawClient(server.port);
    client.send(opQuery(7, "admin.$cmd", { ismaster: 1, helloOk: true, client: { driver: { name: "raw" } } }));
    const [reply] = await client.next();
    expect(reply).toMatchObject({ responseTo: 7, opCode: OP_REPLY });
    expect(reply.doc).toMatchObject({ ok: 1, ismaster: true, helloOk: true, minWireVersion: 0, maxWireVersion: 25, logicalSessionTimeoutMinutes: 30 });
    expect(reply.doc).not.toHaveProperty("topologyVersion");
    expect(reply.doc).not.toHaveProperty("setName");
    expect(reply.doc).not.toHaveProperty("compression");
    client.close();
  });

  it("merges kind-1 sections into the body and verifies checksums", async () => {
    const client = new RawClient(server.port);
    client.send(opMsg(1, { insert: "wire", $db: "raw" }, { sequence: ["documents", [{ _id: 1 }, { _id: 2 }]], checksum: true }));
    const [reply] = await client.next();
    expect(reply).toMatchObject({ responseTo: 1, opCode: OP_MSG, doc: { n: 2, ok: 1 } });
    client.close();
  });

  it("sends no reply for moreToCome and answers pipelined requests in order", async () => {
    const client = new RawClient(server.port);
    client.send(
      Buffer.concat([
        opMsg(10, { insert: "pipe", documents: [{ _id: "a" }], $db: "raw" }, { flags: 2 }),
        opMsg(11, { count: "pipe", $db: "raw" }),
        opMsg(12, { ping: 1, $db: "admin" }),
        opMsg(13, { find: "pipe", $db: "raw" }),
      ]),
    );
    const replies = await client.next(3);
    expect(replies.map((reply) => reply.responseTo)).toEqual([11, 12, 13]);
    expect(replies[0].doc).toMatchObject({ n: 1 });
    expect(replies[2].doc.cursor.id).toBeInstanceOf(Long);
    client.close();
  });

  it("reassembles a message that arrives in many small pieces", async () => {
    const client = new RawClient(server.port);
    const message = opMsg(21, { insert: "pieces", documents: [{ _id: 1, text: "y".repeat(5000) }], $db: "raw" });
    for (let offset = 0; offset < message.length; offset += 997) {
      client.send(message.subarray(offset, offset + 997));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const [reply] = await client.next();
    expect(reply).toMatchObject({ responseTo: 21, doc: { n: 1, ok: 1 } });
    client.close();
  });

  it("closes only the connection that sent a malformed message", async () => {
    const bad = new RawClient(server.port);
    const good = new RawClient(server.port);
    const garbage = Buffer.concat([header(26, 1, OP_MSG), Buffer.alloc(4), Buffer.from([0, 9, 0, 0, 0, 0])]);
    bad.send(garbage);
    await bad.waitClosed();
    good.send(opMsg(2, { ping: 1, $db: "admin" }));
    const [reply] = await good.next();
    expect(reply.doc.ok).toBe(1);
    const badChecksum = opMsg(3, { ping: 1, $db: "admin" }, { checksum: true });
    badChecksum[badChecksum.length - 1] ^= 0xff;
    const third = new RawClient(server.port);
    third.send(badChecksum);
    await third.waitClosed();
    good.close();
  });
});

import type { Socket } from "node:net";
import type { Document } from "bson";
import { decodeMessage, encodeOpMsgReply, encodeOpReply, OP_QUERY, ProtocolError, type Request } from "./protocol";

export const MAX_MESSAGE_SIZE = 48_000_000;

export type RequestHandler = (request: Request, connectionId: number) => Promise<Document>;

/**
 * One client socket: splits the byte stream into messages and answers them strictly in arrival
 * order (the driver pipelines on a connection and matches replies by responseTo, but mongod
 * answers in order and so do we). Bad bytes close this socket only.
 */
export class Connection {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    readonly id: number,
    private readonly handle: RequestHandler,
  ) {
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", () => socket.destroy());
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    // Large messages arrive in many chunks: join them only once the whole message is here.
    if (this.pendingBytes < 4 || this.pendingBytes < this.nextMessageLength()) return;
    let buffer = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    while (buffer.length - offset >= 4) {
      const length = buffer.readInt32LE(offset);
      if (length < 16 || length > MAX_MESSAGE_SIZE) {
        this.close();
        return;
      }
      if (buffer.length - offset < length) break;
      this.enqueue(buffer.subarray(offset, offset + length));
      offset += length;
    }
    buffer = buffer.subarray(offset);
    this.pending = buffer.length ? [buffer] : [];
    this.pendingBytes = buffer.length;
  }

  private nextMessageLength(): number {
    const first = this.pending[0];
    if (first.length >= 4) return first.readInt32LE(0);
    return Buffer.concat(this.pending, this.pendingBytes).readInt32LE(0);
  }

  private enqueue(message: Buffer): void {
    let request: Request;
    try {
      request = decodeMessage(message);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.close();
      return;
    }
    this.queue = this.queue.then(async () => {
      const reply = await this.handle(request, this.id);
      if (request.moreToCome || this.socket.destroyed) return;
      const encode = request.opCode === OP_QUERY ? encodeOpReply : encodeOpMsgReply;
      this.socket.write(encode(request.requestId, reply));
    }).catch(() => this.close());
  }
}

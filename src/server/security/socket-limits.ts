import type { Context as SocketContext } from "graphql-ws";

export interface SocketLimitSettings {
  maxConnectionsPerUser: number;
  maxSubscriptionsPerConnection: number;
}

/**
 * Open websockets per client (the signed-in user, else the IP address) and operations per
 * socket. A client past either limit is refused alone; everyone else keeps being served.
 */
export class SocketLimits {
  private readonly perClient = new Map<string, number>();
  private readonly admitted = new Map<SocketContext, string>();

  constructor(private readonly settings: SocketLimitSettings) {}

  /** Counts the socket for `client`; false when that client already has the most allowed. */
  admit(socket: SocketContext, client: string): boolean {
    const open = this.perClient.get(client) ?? 0;
    if (open >= this.settings.maxConnectionsPerUser) return false;
    this.perClient.set(client, open + 1);
    this.admitted.set(socket, client);
    return true;
  }

  release(socket: SocketContext): void {
    const client = this.admitted.get(socket);
    if (client === undefined) return;
    this.admitted.delete(socket);
    const open = (this.perClient.get(client) ?? 1) - 1;
    if (open > 0) this.perClient.set(client, open);
    else this.perClient.delete(client);
  }

  /** Called once the new operation is registered on the socket, so it counts itself. */
  tooManyOperations(socket: SocketContext): boolean {
    return Object.keys(socket.subscriptions).length > this.settings.maxSubscriptionsPerConnection;
  }

  get connections(): number {
    return this.admitted.size;
  }

  get operations(): number {
    let count = 0;
    for (const socket of this.admitted.keys()) count += Object.keys(socket.subscriptions).length;
    return count;
  }
}

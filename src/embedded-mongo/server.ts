import { createServer, type AddressInfo, type Server } from "node:net";
import { runCommand } from "./commands/registry";
import { ConnectionAuth } from "./auth/connection-auth";
import { ServerStats } from "./server-stats";
import { OperationRegistry } from "./operations";
import { ServerParameters } from "./parameters";
import { SessionRegistry } from "./sessions";
import { CursorManager } from "./storage/cursors";
import { StorageEngine } from "./storage/engine";
import { startTtlMonitor } from "./storage/ttl";
import { Connection } from "./wire/connection";
import type { Request } from "./wire/protocol";

/** The TCP server: connections in, commands through the registry, one shared catalog. */
export class EmbeddedMongoServer {
  private readonly server: Server;
  private readonly connections = new Set<Connection>();
  private readonly cursors = new CursorManager();
  private readonly sessions = new SessionRegistry();
  private readonly auth = new Map<number, ConnectionAuth>();
  private readonly stats = new ServerStats();
  private readonly operations = new OperationRegistry();
  private readonly parameters = new ServerParameters();
  private nextConnectionId = 1;
  private stopTtl?: () => void;

  constructor(
    readonly engine: StorageEngine = new StorageEngine(),
    private readonly authEnabled = false,
  ) {
    this.server = createServer((socket) => {
      const id = this.nextConnectionId++;
      const connection = new Connection(socket, id, (request, connectionId) => this.handle(request, connectionId));
      this.connections.add(connection);
      this.auth.set(id, new ConnectionAuth());
      this.stats.connectionsCurrent++;
      this.stats.connectionsTotal++;
      socket.on("close", () => {
        this.stats.connectionsCurrent--;
        this.connections.delete(connection);
        this.auth.delete(id);
      });
    });
  }

  async listen(host: string, port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    this.stopTtl = startTtlMonitor(this.engine, () => this.cursors.closeIdle(), this.parameters);
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.stopTtl?.();
    for (const connection of this.connections) connection.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: Request, connectionId: number) {
    return runCommand(request.command, {
      engine: this.engine,
      cursors: this.cursors,
      sessions: this.sessions,
      db: request.db,
      connectionId,
      authEnabled: this.authEnabled,
      stats: this.stats,
      parameters: this.parameters,
      operations: this.operations,
      auth: this.auth.get(connectionId) ?? new ConnectionAuth(),
      log: [],
    });
  }
}

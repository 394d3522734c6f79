/** Counters `serverStatus` reports, shared by the TCP server and the command layer. */
export class ServerStats {
  connectionsCurrent = 0;
  connectionsTotal = 0;
  readonly opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };

  /** mongod's opcounters: one per statement of a write, one per query or getMore, other commands as `command`. */
  count(name: string, command: Record<string, unknown>): void {
    const statements = (field: string) => (Array.isArray(command[field]) ? (command[field] as unknown[]).length : 1);
    switch (name) {
      case "insert":
        this.opcounters.insert += statements("documents");
        break;
      case "update":
        this.opcounters.update += statements("updates");
        break;
      case "delete":
        this.opcounters.delete += statements("deletes");
        break;
      case "bulkwrite":
        this.countBulkWriteOps(command.ops);
        break;
      case "find":
        this.opcounters.query++;
        break;
      case "getmore":
        this.opcounters.getmore++;
        break;
      default:
        this.opcounters.command++;
    }
  }

  /** bulkWrite's ops count as the inserts, updates and deletes they are. */
  private countBulkWriteOps(ops: unknown): void {
    if (!Array.isArray(ops)) return;
    for (const op of ops as Array<Record<string, unknown> | null>) {
      if (op?.insert !== undefined) this.opcounters.insert++;
      else if (op?.update !== undefined) this.opcounters.update++;
      else if (op?.delete !== undefined) this.opcounters.delete++;
    }
  }
}

import type {
  CommandFailedEvent,
  CommandSucceededEvent,
  ConnectionCheckedInEvent,
  ConnectionCheckedOutEvent,
  ConnectionClosedEvent,
  MongoClient,
} from "mongodb";
import mongoose from "mongoose";
import type { Metrics } from "./metrics";

/**
 * Counts read straight from the collections at scrape time: uploads by ingestion status and
 * background jobs (course generation, ...) by kind and status. Read-only, two small `$group`s,
 * and only when Prometheus asks; nothing is counted while the database is not connected.
 */
export function registerJobGauges(metrics: Metrics): void {
  metrics.gauge("ingestion_jobs", "Uploads by ingestion state", ["state"], async (gauge) => {
    gauge.reset();
    for (const { _id, count } of await countBy("uploads", { state: "$status" })) {
      gauge.set({ state: String(_id.state) }, count);
    }
  });
  metrics.gauge("background_jobs", "Background jobs by kind and status", ["kind", "status"], async (gauge) => {
    gauge.reset();
    for (const { _id, count } of await countBy("jobs", { kind: "$kind", status: "$status" })) {
      gauge.set({ kind: String(_id.kind), status: String(_id.status) }, count);
    }
  });
}

async function countBy(collection: string, key: Record<string, string>): Promise<{ _id: Record<string, unknown>; count: number }[]> {
  const db = mongoose.connection.db;
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected || !db) return [];
  return db
    .collection(collection)
    .aggregate<{ _id: Record<string, unknown>; count: number }>([{ $group: { _id: key, count: { $sum: 1 } } }])
    .toArray();
}

/**
 * MongoDB latency. Always: every command's round trip, from its connection's check-out of the pool
 * to its check-in (the pool's events cost nothing extra; a cursor's `getMore` is a command of its
 * own). With the driver's command monitoring on (DB_COMMAND_MONITORING, connect.ts) also by
 * command name and outcome. The client changes when a connection is retried, so each newly
 * connected one is watched. Returns the function that stops watching for new ones.
 */
export function watchDbCommands(metrics: Metrics): () => void {
  const watched = new WeakSet<MongoClient>();
  const watch = () => {
    const client = mongoose.connection.getClient();
    if (watched.has(client)) return;
    watched.add(client);
    // A connection is checked out by one command at a time; ids are per server.
    const out = new Map<string, number>();
    client.on("connectionCheckedOut", (event: ConnectionCheckedOutEvent) => {
      out.set(`${event.address} ${event.connectionId}`, performance.now());
    });
    client.on("connectionCheckedIn", (event: ConnectionCheckedInEvent) => {
      const key = `${event.address} ${event.connectionId}`;
      const since = out.get(key);
      if (since === undefined) return;
      out.delete(key);
      metrics.dbRoundTrip.observe((performance.now() - since) / 1000);
    });
    client.on("connectionClosed", (event: ConnectionClosedEvent) => {
      out.delete(`${event.address} ${event.connectionId}`);
    });
    if (!client.options.monitorCommands) return;
    client.on("commandSucceeded", (event: CommandSucceededEvent) => {
      metrics.dbCommandDuration.observe({ command: event.commandName, outcome: "ok" }, event.duration / 1000);
    });
    client.on("commandFailed", (event: CommandFailedEvent) => {
      metrics.dbCommandDuration.observe({ command: event.commandName, outcome: "error" }, event.duration / 1000);
    });
  };
  if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) watch();
  mongoose.connection.on("connected", watch);
  return () => {
    mongoose.connection.off("connected", watch);
  };
}

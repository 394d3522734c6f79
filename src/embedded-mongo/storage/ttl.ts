import type { StorageEngine } from "./engine";
import type { StorageOp } from "./ops";
import type { ServerParameters } from "../parameters";
import { Rank } from "../query/bson-order";
import { RankBound } from "./index-order";

/** Just before every date in value order: where an index walk over the dates starts. */
const BEFORE_DATES = { values: [new RankBound(Rank.Date, -1)], seq: -1 };

/**
 * Deletes documents whose TTL-indexed date is older than the index's expireAfterSeconds, as
 * mongod's TTL monitor does: arrays expire on their earliest date, non-dates never expire, and a
 * partial index only expires the documents it covers.
 */
function expireDocuments(engine: StorageEngine, now = Date.now()): StorageOp[] {
  const log: StorageOp[] = [];
  for (const db of engine.databaseNames()) {
    for (const coll of engine.collections(db)) {
      for (const index of coll.indexes) {
        const seconds = index.spec.expireAfterSeconds;
        if (seconds === undefined || index.fields.length !== 1) continue;
        const cutoff = now - seconds * 1000;
        // The index holds the dates in order (each element of an array too), so the walk reads only
        // the expired entries instead of every document each second; collected first because
        // deleting moves the walk's tree.
        const expired = new Set<string>();
        for (const [key, id] of index.walk(BEFORE_DATES, index.directions[0] === -1)) {
          const value = key.values[0];
          if (!(value instanceof Date) || value.getTime() > cutoff) break;
          expired.add(id);
        }
        // Entries are only covered documents' dates, so one at or before the cutoff means the document's earliest date is too.
        for (const id of expired) {
          const doc = coll.docs.get(id);
          if (doc) engine.apply({ op: "delete", db, coll: coll.name, id: doc._id }, log);
        }
      }
    }
  }
  return log;
}

/**
 * Every second closes idle cursors (`onTick`) and, when `ttlMonitorEnabled` and
 * `ttlMonitorSleepSecs` have passed since the last pass, expires documents; the timer does not keep
 * the process alive.
 */
export function startTtlMonitor(engine: StorageEngine, onTick: () => void, parameters: Pick<ServerParameters, "ttlMonitorEnabled" | "ttlMonitorSleepMs">, tickMs = 1000): () => void {
  let lastPass = Date.now();
  const tick = async () => {
    onTick();
    const now = Date.now();
    if (!parameters.ttlMonitorEnabled || now - lastPass < parameters.ttlMonitorSleepMs - tickMs / 2) return;
    lastPass = now;
    await engine.commit(expireDocuments(engine, now));
  };
  // A failed tick (say the journal cannot be written) must not crash the host process; the
  // warning says what went wrong.
  const timer = setInterval(() => {
    tick().catch((error: unknown) => process.emitWarning(`embedded-mongo TTL monitor: ${error instanceof Error ? error.message : String(error)}`));
  }, tickMs);
  timer.unref();
  return () => clearInterval(timer);
}

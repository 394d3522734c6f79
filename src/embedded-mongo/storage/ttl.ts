import type { StorageEngine } from "./engine";
import type { StorageOp } from "./ops";
import { getIndexKeyValue } from "../query";

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
        for (const doc of [...coll.docs.values()]) {
          if (!index.covers(doc)) continue;
          const expiresAt = earliestDate(getIndexKeyValue(doc, index.fields[0]));
          if (expiresAt !== undefined && expiresAt <= cutoff) engine.apply({ op: "delete", db, coll: coll.name, id: doc._id }, log);
        }
      }
    }
  }
  return log;
}

function earliestDate(value: unknown): number | undefined {
  const dates = (Array.isArray(value) ? value : [value]).filter((v): v is Date => v instanceof Date);
  return dates.length ? Math.min(...dates.map((date) => date.getTime())) : undefined;
}

/** Runs expireDocuments every `intervalMs` without keeping the process alive. */
export function startTtlMonitor(engine: StorageEngine, onTick: () => void, intervalMs = 1000): () => void {
  const tick = async () => {
    onTick();
    await engine.commit(expireDocuments(engine));
  };
  // A failed tick (say the journal cannot be written) must not crash the host process; the
  // warning says what went wrong.
  const timer = setInterval(() => {
    tick().catch((error: unknown) => process.emitWarning(`embedded-mongo TTL monitor: ${error instanceof Error ? error.message : String(error)}`));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

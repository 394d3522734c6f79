import { Binary, type Document } from "bson";
import { createHash } from "node:crypto";
import { valueKey } from "./storage/keys";

/** sha256 of the (empty) user name: the uid mongod reports for unauthenticated sessions. */
const ANONYMOUS_UID = new Binary(createHash("sha256").update("").digest(), 0);

/**
 * Logical sessions seen in commands' `lsid`, for $listLocalSessions. A standalone server has
 * no transactions, so a session is just an id and when it was last used.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, { id: unknown; lastUse: Date }>();

  touch(lsid: unknown): void {
    const id = (lsid as Document | undefined)?.id;
    if (id === undefined) return;
    this.sessions.set(valueKey(id), { id, lastUse: new Date() });
  }

  end(lsids: unknown[]): void {
    for (const lsid of lsids) {
      const id = (lsid as Document | undefined)?.id;
      if (id !== undefined) this.sessions.delete(valueKey(id));
    }
  }

  /** Documents as $listLocalSessions returns them. */
  list(): Document[] {
    return [...this.sessions.values()].map(({ id, lastUse }) => ({ _id: { id, uid: ANONYMOUS_UID }, lastUse }));
  }
}

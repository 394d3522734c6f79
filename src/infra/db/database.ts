/** What the rest of the app knows about the database it was given. */
export interface Database {
  /** `embedded`: the in-process engine `npm start` runs when MONGODB_URL is unset. */
  kind: "embedded" | "mongodb";
  /** Pings the server; never throws. */
  check(): Promise<DatabaseCheck>;
  /** Disconnects mongoose, then stops the embedded engine if there is one. */
  close(): Promise<void>;
}

export interface DatabaseCheck {
  status: "healthy" | "unhealthy";
  kind: Database["kind"];
  latencyMs?: number;
  error?: string;
}

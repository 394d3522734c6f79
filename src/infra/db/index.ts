export { connectDatabase, runningEmbeddedDatabase } from "./connect";
export type { Database, DatabaseCheck } from "./database";
export { isDatabaseUnavailable } from "./availability";

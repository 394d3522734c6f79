export { connectDatabase, runningEmbeddedDatabase, withoutCredentials } from "./connect";
export type { Database, DatabaseCheck } from "./database";
export { isDatabaseUnavailable } from "./availability";

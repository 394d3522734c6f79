import { EmbeddedMongoServer } from "./server";

export interface EmbeddedMongoOptions {
  /** Interface to listen on; loopback by default. */
  host?: string;
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Reserved for on-disk durability; accepted and currently ignored (data lives in memory). */
  dataDir?: string;
}

export interface EmbeddedMongo {
  /** `mongodb://host:port/` for the driver or mongoose. */
  uri: string;
  port: number;
  /** Closes every connection and the listener, and stops the TTL monitor. */
  stop(): Promise<void>;
}

/** Starts an in-process MongoDB-compatible server that the official driver talks to over TCP. */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? "127.0.0.1";
  const server = new EmbeddedMongoServer();
  const port = await server.listen(host, options.port ?? 0);
  const uriHost = host.includes(":") ? `[${host}]` : host;
  return { uri: `mongodb://${uriHost}:${port}/`, port, stop: () => server.stop() };
}

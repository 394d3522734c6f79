import { MongoClient } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";

/** A fresh embedded server and a connected driver client for one test file. */
export function useEmbeddedMongo(): { server: () => EmbeddedMongo; client: () => MongoClient } {
  let server: EmbeddedMongo;
  let client: MongoClient;
  beforeAll(async () => {
    server = await startEmbeddedMongo();
    client = await MongoClient.connect(server.uri);
  });
  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });
  return { server: () => server, client: () => client };
}

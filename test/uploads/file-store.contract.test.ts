import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoClient } from "mongodb";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";
import { DiskFileStore, GridFsFileStore, type FileStore } from "../../src/infra/storage";

let engine: EmbeddedMongo;
let client: MongoClient;
let dir: string;

beforeAll(async () => {
  engine = await startEmbeddedMongo({ port: 0 });
  client = await MongoClient.connect(engine.uri);
  dir = mkdtempSync(join(tmpdir(), "file-store-"));
});

afterAll(async () => {
  await client.close();
  await engine.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function read(store: FileStore, id: string): Promise<Buffer | null> {
  const stream = await store.open(id);
  if (!stream) return null;
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const adapters: [string, () => FileStore][] = [
  ["GridFS", () => new GridFsFileStore(() => client.db("files"))],
  ["disk", () => new DiskFileStore(dir)],
];

describe.each(adapters)("%s file store", (_name, make) => {
  test("stores bytes whole and gives them back by id", async () => {
    const store = make();
    // Larger than one GridFS chunk (255 KiB), with every byte value.
    const bytes = Buffer.from(Array.from({ length: 600 * 1024 }, (_, i) => (i * 31) % 256));
    const id = await store.put(bytes, { filename: "data.bin", contentType: "application/octet-stream" });
    expect(await store.exists(id)).toBe(true);
    expect((await read(store, id))!.equals(bytes)).toBe(true);
  });

  test("delete removes the file; deleting again, or an unknown id, is harmless", async () => {
    const store = make();
    const id = await store.put(Buffer.from("short"), { filename: "a.txt", contentType: "text/plain" });
    await store.delete(id);
    expect(await store.exists(id)).toBe(false);
    expect(await store.open(id)).toBeNull();
    await expect(store.delete(id)).resolves.toBeUndefined();
    await expect(store.delete("not-an-id")).resolves.toBeUndefined();
    expect(await store.open("../../etc/passwd")).toBeNull();
  });
});

test("GridFS keeps no chunks of a deleted file", async () => {
  const store = new GridFsFileStore(() => client.db("gridfs-leftovers"));
  const id = await store.put(Buffer.alloc(700 * 1024, 1), { filename: "big.bin", contentType: "application/octet-stream" });
  expect(await client.db("gridfs-leftovers").collection("uploads_fs.chunks").countDocuments()).toBe(3);
  await store.delete(id);
  expect(await client.db("gridfs-leftovers").collection("uploads_fs.chunks").countDocuments()).toBe(0);
  expect(await client.db("gridfs-leftovers").collection("uploads_fs.files").countDocuments()).toBe(0);
});

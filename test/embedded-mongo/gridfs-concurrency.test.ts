import { GridFSBucket, MongoClient } from "mongodb";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe("GridFS", () => {
  it("uploads, downloads and deletes a 10 MiB file byte for byte", async () => {
    const bucket = new GridFSBucket(db.client().db("files"));
    const content = randomBytes(10 * 1024 * 1024);
    const upload = bucket.openUploadStream("big.bin", { metadata: { owner: "t" } });
    await new Promise<void>((resolve, reject) => Readable.from([content]).pipe(upload).on("finish", resolve).on("error", reject));
    const [file] = await bucket.find({ filename: "big.bin" }).toArray();
    expect(file).toMatchObject({ length: content.length, metadata: { owner: "t" } });
    expect((await collect(bucket.openDownloadStream(upload.id))).equals(content)).toBe(true);
    expect((await collect(bucket.openDownloadStreamByName("big.bin", { start: 5, end: 300_000 }))).equals(content.subarray(5, 300_000))).toBe(true);
    const indexes = await db.client().db("files").collection("fs.chunks").listIndexes().toArray();
    expect(indexes.map((index) => index.key)).toContainEqual({ files_id: 1, n: 1 });
    await bucket.delete(upload.id);
    expect(await db.client().db("files").collection("fs.chunks").countDocuments()).toBe(0);
    await expect(collect(bucket.openDownloadStream(upload.id))).rejects.toThrow(/FileNotFound|file not found/i);
  });
});

describe("two clients writing concurrently", () => {
  it("keeps every write from both clients and enforces uniqueness across them", async () => {
    const other = await MongoClient.connect(db.server().uri, { maxPoolSize: 5 });
    try {
      const a = db.client().db("conc").collection("events");
      const b = other.db("conc").collection("events");
      await a.createIndex({ key: 1 }, { unique: true });
      const writes = Array.from({ length: 200 }, (_, i) => (i % 2 ? a : b).insertOne({ i, key: `k${i}` }));
      const dupes = Array.from({ length: 20 }, (_, i) => (i % 2 ? b : a).insertOne({ key: "same" }).then(() => "ok", (error) => error.code));
      await Promise.all(writes);
      const outcomes = await Promise.all(dupes);
      expect(outcomes.filter((outcome) => outcome === "ok")).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 11000)).toHaveLength(19);
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).updateOne({ key: "same" }, { $inc: { counter: 1 } })));
      expect(await a.countDocuments()).toBe(201);
      expect(await b.findOne({ key: "same" })).toMatchObject({ counter: 50 });
    } finally {
      await other.close();
    }
  });
});

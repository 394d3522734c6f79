import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

describe("top-level $-prefixed fields in updates (mongod 5.0+)", () => {
  const coll = () => db.client().db("dollars").collection("c");

  it("an upsert that inserts may $set one; the same update on an existing document may not", async () => {
    const result = await coll().updateOne({ key: 1 }, { $set: { $myKey: "gh13786", plain: 1 } }, { upsert: true });
    expect(result.upsertedCount).toBe(1);
    expect(await coll().findOne({ key: 1 }, { projection: { _id: 0 } })).toEqual({ key: 1, $myKey: "gh13786", plain: 1 });
    await expect(coll().updateOne({ key: 1 }, { $set: { $myKey: "again" } }, { upsert: true })).rejects.toMatchObject({ code: 52 });
    await expect(coll().updateOne({ key: 2 }, { $set: { $: 1 } }, { upsert: true })).rejects.toThrow();
    expect(await coll().countDocuments()).toBe(1);
  });
});

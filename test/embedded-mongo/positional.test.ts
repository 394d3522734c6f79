import { useEmbeddedMongo } from "./harness";

/** The positional `$` needs the command's filter to know which array element matched. */
const db = useEmbeddedMongo();
const items = () => db.client().db("positional").collection<{ _id: number; items: { k: string; q: number }[] }>("items");

describe("positional $", () => {
  beforeEach(async () => {
    await items().deleteMany({});
    await items().insertOne({ _id: 1, items: [{ k: "a", q: 1 }, { k: "b", q: 2 }] });
  });

  it("updates the element the filter matched, in update and findAndModify", async () => {
    await expect(items().updateOne({ "items.k": "b" }, { $inc: { "items.$.q": 10 } })).resolves.toMatchObject({ modifiedCount: 1 });
    const after = await items().findOneAndUpdate({ _id: 1, "items.k": "a" }, { $set: { "items.$.q": 5 } }, { returnDocument: "after" });
    expect(after).toEqual({ _id: 1, items: [{ k: "a", q: 5 }, { k: "b", q: 12 }] });
  });

  it("projects the element the filter matched", async () => {
    expect(await items().find({ "items.k": "b" }, { projection: { "items.$": 1 } }).toArray()).toEqual([{ _id: 1, items: [{ k: "b", q: 2 }] }]);
    const projected = await items().findOneAndUpdate({ "items.k": "a" }, { $set: { seen: true } }, { projection: { "items.$": 1 }, returnDocument: "after" });
    expect(projected).toEqual({ _id: 1, items: [{ k: "a", q: 1 }] });
  });

  it("fails like mongod when the filter does not name the array", async () => {
    await expect(items().updateOne({ _id: 1 }, { $set: { "items.$.q": 0 } })).rejects.toMatchObject({ code: 2 });
  });
});

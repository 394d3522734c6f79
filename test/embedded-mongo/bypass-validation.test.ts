import { useEmbeddedMongo } from "./harness";

/**
 * The Node driver never sends `bypassDocumentValidation: false` (NODE-6484), so the CRUD spec
 * tests that expect it can only check the engine's side here, with the raw commands.
 */
const db = useEmbeddedMongo();
const bdb = () => db.client().db("bypass");

describe("bypassDocumentValidation: false", () => {
  beforeAll(async () => {
    await bdb().createCollection("checked", { validator: { qty: { $type: "number" } } });
    await bdb().collection("checked").insertOne({ _id: 1, qty: 1 } as never);
  });

  it("is accepted and keeps validation on for insert, update, findAndModify and $out", async () => {
    const run = (command: object) => bdb().command(command);
    await expect(run({ insert: "checked", documents: [{ _id: 2, qty: 2 }], bypassDocumentValidation: false })).resolves.toMatchObject({ ok: 1, n: 1 });
    const badInsert = await run({ insert: "checked", documents: [{ _id: 3, qty: "x" }], bypassDocumentValidation: false });
    expect(badInsert.writeErrors[0]).toMatchObject({ code: 121 });

    const update = await run({ update: "checked", updates: [{ q: { _id: 1 }, u: { $inc: { qty: 1 } } }], bypassDocumentValidation: false });
    expect(update).toMatchObject({ ok: 1, n: 1, nModified: 1 });

    const fam = await run({ findAndModify: "checked", query: { _id: 2 }, update: { $set: { qty: 5 } }, new: true, bypassDocumentValidation: false });
    expect(fam.value).toEqual({ _id: 2, qty: 5 });
    await expect(run({ findAndModify: "checked", query: { _id: 2 }, update: { $set: { qty: "y" } }, bypassDocumentValidation: false })).rejects.toMatchObject({ code: 121 });

    await run({ aggregate: "checked", pipeline: [{ $match: {} }, { $out: "copy" }], cursor: {}, bypassDocumentValidation: false });
    expect(await bdb().collection("copy").find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, qty: 2 }, { _id: 2, qty: 5 }]);
  });
});

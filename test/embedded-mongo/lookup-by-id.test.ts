import { ObjectId, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const lookups = () => db.client().db("lookup_by_id");

/** The same join through the general `$lookup` (a sub-pipeline, even an empty one, is never read by `_id`). */
function general(stages: Document[]): Document[] {
  return stages.map((stage) => ("$lookup" in stage ? { $lookup: { ...stage.$lookup, pipeline: [] } } : stage));
}

describe("$lookup by _id at the end of a pipeline", () => {
  const cards = Array.from({ length: 40 }, (_, i) => ({ _id: new ObjectId(), front: `Card ${i}`, tags: [`t${i % 3}`] }));
  const owners = [{ _id: "ada", name: "Ada" }, { _id: "bob", name: "Bob" }];

  beforeAll(async () => {
    await lookups().collection("cards").insertMany(cards);
    await lookups().collection<{ _id: string; name: string }>("owners").insertMany(owners);
    await lookups()
      .collection("states")
      .insertMany(
        cards.map((card, i) => ({ user: i % 2 === 0 ? "ada" : "bob", card_id: card._id, due: new Date(Date.UTC(2030, 0, 1 + (i % 7), i)), owner: i % 2 === 0 ? "ada" : "bob" })),
      );
    // A state whose card is gone, and one pointing at a card id no card has ever had.
    await lookups().collection("states").insertMany([
      { user: "ada", card_id: new ObjectId(), due: new Date(Date.UTC(2029, 0, 1)), owner: "ada" },
      { user: "ada", card_id: "not-an-object-id", due: new Date(Date.UTC(2029, 0, 2)), owner: "nobody" },
    ]);
    await lookups().collection("states").createIndex({ user: 1, due: 1 });
  });

  async function both(stages: Document[]): Promise<[Document[], Document[]]> {
    const states = lookups().collection("states");
    return [await states.aggregate(stages).toArray(), await states.aggregate(general(stages)).toArray()];
  }

  it("joins each document's card and owner as the general $lookup does, in the index's order, after $skip and $limit", async () => {
    const stages = [
      { $match: { user: "ada" } },
      { $sort: { due: 1 } },
      { $skip: 1 },
      { $limit: 12 },
      { $lookup: { from: "cards", localField: "card_id", foreignField: "_id", as: "card" } },
      { $lookup: { from: "owners", localField: "owner", foreignField: "_id", as: "owner_doc" } },
    ];
    const [byId, generalResult] = await both(stages);
    expect(byId).toEqual(generalResult);
    expect(byId).toHaveLength(12);
    // The first is the state whose card id is a string no card has: joined to nothing, as in MongoDB.
    expect(byId[0].card).toEqual([]);
    expect(byId[0].owner_doc).toEqual([]);
    expect(byId[1].card).toEqual([cards.find((card) => card._id.equals(byId[1].card_id))]);
    expect(byId[1].owner_doc).toEqual([{ _id: "ada", name: "Ada" }]);
  });

  it("joins nothing from a collection that does not exist, and answers local values it cannot look up by _id through the general path", async () => {
    const missing = await both([{ $match: { user: "bob" } }, { $lookup: { from: "no_such_collection", localField: "card_id", foreignField: "_id", as: "card" } }]);
    expect(missing[0]).toEqual(missing[1]);
    expect(missing[0].every((doc) => Array.isArray(doc.card) && doc.card.length === 0)).toBe(true);
    // A missing local field matches foreign documents whose _id is null or missing (none here), an array matches by element.
    const odd = await both([{ $match: { user: "ada" } }, { $limit: 3 }, { $lookup: { from: "cards", localField: "no_such_field", foreignField: "_id", as: "card" } }]);
    expect(odd[0]).toEqual(odd[1]);
    const tags = await both([{ $match: { user: "ada" } }, { $lookup: { from: "cards", localField: "tags", foreignField: "_id", as: "card" } }]);
    expect(tags[0]).toEqual(tags[1]);
  });

  it("leaves a stored document unchanged by the join", async () => {
    await lookups().collection("states").aggregate([{ $match: { user: "ada" } }, { $lookup: { from: "cards", localField: "card_id", foreignField: "_id", as: "card" } }]).toArray();
    const stored = await lookups().collection("states").find({ user: "ada" }).toArray();
    expect(stored.every((doc) => !("card" in doc))).toBe(true);
  });
});

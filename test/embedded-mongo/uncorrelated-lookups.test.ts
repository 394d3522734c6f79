import { ObjectId, type Document } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();
const reads = () => db.client().db("uncorrelated_lookups");

/** The same pipeline through the general `$lookup` (an empty `let` keeps it off the once-per-command path). */
function general(stages: Document[]): Document[] {
  return stages.map((stage) => ("$lookup" in stage ? { $lookup: { ...stage.$lookup, let: {} } } : stage));
}

describe("uncorrelated $lookups (several reads in one command)", () => {
  const cards = Array.from({ length: 30 }, (_, i) => ({ _id: new ObjectId(), front: `Card ${i}`, deck: `d${i % 3}` }));
  const states = cards.map((card, i) => ({ _id: new ObjectId(), user: i % 2 === 0 ? "ada" : "bob", card_id: card._id, deck: card.deck, due: new Date(Date.UTC(2030, 0, 1 + (i % 9), i)) }));

  beforeAll(async () => {
    await reads().collection("cards").insertMany(cards);
    await reads().collection("states").insertMany(states);
    await reads().collection("states").createIndex({ user: 1, due: 1 });
    await reads().collection("profiles").insertMany([{ user: "ada", retention: 0.9, days: { a: 1, b: 2 } }, { user: "bob", retention: 0.8, days: {} }]);
    await reads().createCollection("ada_states", { viewOn: "states", pipeline: [{ $match: { user: "ada" } }] });
  });

  const lookups = [
    { $lookup: { from: "profiles", pipeline: [{ $match: { user: "ada" } }, { $limit: 1 }, { $project: { days: 0 } }], as: "profile" } },
    {
      $lookup: {
        from: "states",
        pipeline: [
          { $match: { user: "ada", due: { $lte: new Date(Date.UTC(2030, 0, 6)) } } },
          { $sort: { due: 1 } },
          { $limit: 4 },
          { $lookup: { from: "cards", localField: "card_id", foreignField: "_id", as: "card" } },
        ],
        as: "overdue",
      },
    },
    { $lookup: { from: "states", pipeline: [{ $match: { user: "bob" } }, { $group: { _id: "$deck", n: { $sum: 1 } } }, { $sort: { _id: 1 } }], as: "byDeck" } },
    { $lookup: { from: "no_such_collection", pipeline: [{ $match: { user: "ada" } }], as: "nothing" } },
    { $lookup: { from: "ada_states", pipeline: [{ $match: { deck: "d1" } }, { $sort: { due: -1 } }, { $project: { card_id: 1 } }], as: "fromView" } },
  ];

  it("answers a database-level $documents with the same documents as the general $lookup", async () => {
    const stages = [{ $documents: [{}] }, ...lookups];
    const [once] = await reads().aggregate(stages).toArray();
    const [generally] = await reads().aggregate(general(stages)).toArray();
    expect(once).toEqual(generally);
    expect(once.profile).toEqual([{ _id: expect.any(ObjectId), user: "ada", retention: 0.9 }]);
    expect(once.overdue.map((state: Document) => state.card[0].front)).toEqual(["Card 0", "Card 18", "Card 10", "Card 2"]);
    expect(once.byDeck).toEqual([
      { _id: "d0", n: 5 },
      { _id: "d1", n: 5 },
      { _id: "d2", n: 5 },
    ]);
    expect(once.nothing).toEqual([]);
    expect(once.fromView).toHaveLength(5);
  });

  it("joins the same documents to every document of a collection, after its own $match and $sort", async () => {
    const stages = [{ $match: { user: "bob" } }, { $sort: { due: 1 } }, { $limit: 3 }, ...lookups.slice(0, 3)];
    const once = await reads().collection("states").aggregate(stages).toArray();
    expect(once).toHaveLength(3);
    expect(once).toEqual(await reads().collection("states").aggregate(general(stages)).toArray());
  });

  it("answers a join by a local field of one literal document, and leaves expressions in $documents to the general path, with the same results", async () => {
    const correlated = [{ $documents: [{ who: "bob" }] }, { $lookup: { from: "profiles", localField: "who", foreignField: "user", as: "profile" } }];
    const [joined] = await reads().aggregate(correlated).toArray();
    expect(joined.profile.map((profile: Document) => profile.retention)).toEqual([0.8]);
    const computed = [{ $documents: [{ n: { $add: [1, 2] } }] }, ...lookups.slice(0, 1)];
    const [row] = await reads().aggregate(computed).toArray();
    expect(row.n).toBe(3);
    expect(row.profile).toHaveLength(1);
  });

  it("joins by a local field of the one input document, or of what an earlier join read, with the general $lookup's documents", async () => {
    const stages = [
      { $documents: [{ who: "ada", extra: [cards[3]._id, cards[4]._id] }] },
      { $lookup: { from: "states", pipeline: [{ $match: { user: "ada" } }, { $sort: { due: 1 } }, { $limit: 5 }, { $project: { card_id: 1 } }], as: "soon" } },
      {
        $lookup: {
          from: "cards",
          localField: "soon.card_id",
          foreignField: "_id",
          pipeline: [{ $match: { deck: { $ne: "d2" } } }, { $sort: { front: -1 } }, { $limit: 3 }, { $project: { front: 1 } }],
          as: "fronts",
        },
      },
      { $lookup: { from: "cards", localField: "extra", foreignField: "_id", as: "extraCards" } },
      { $lookup: { from: "profiles", localField: "who", foreignField: "user", pipeline: [{ $project: { retention: 1, _id: 0 } }], as: "profile" } },
    ];
    const [once] = await reads().aggregate(stages).toArray();
    const [generally] = await reads().aggregate(general(stages)).toArray();
    expect(once).toEqual(generally);
    const soon = new Set(once.soon.map((state: Document) => String(state.card_id)));
    const expected = cards.filter((card) => soon.has(String(card._id)) && card.deck !== "d2").map((card) => card.front).sort().reverse().slice(0, 3);
    expect(once.fronts.map((card: Document) => card.front)).toEqual(expected);
    expect(once.fronts.length).toBeGreaterThan(0);
    expect(once.extraCards.map((card: Document) => card.front).sort()).toEqual(["Card 3", "Card 4"]);
    expect(once.profile).toEqual([{ retention: 0.9 }]);
  });

  it("joins by what an earlier join found nothing of, or a document without the field, as the general $lookup does", async () => {
    await reads().collection("profiles").insertOne({ retention: 0.5 });
    try {
      const stages = [
        { $documents: [{}] },
        { $lookup: { from: "states", pipeline: [{ $match: { user: "nobody" } }], as: "none" } },
        { $lookup: { from: "cards", localField: "none.card_id", foreignField: "_id", pipeline: [{ $project: { front: 1 } }], as: "cards" } },
        { $lookup: { from: "profiles", localField: "none.user", foreignField: "user", pipeline: [{ $project: { _id: 0 } }], as: "userless" } },
      ];
      const [once] = await reads().aggregate(stages).toArray();
      expect(once).toEqual((await reads().aggregate(general(stages)).toArray())[0]);
      expect(once.cards).toEqual([]);
      // A missing local value joins what has no `foreignField` at all, as MongoDB's equality on null does.
      expect(once.userless).toEqual([{ retention: 0.5 }]);
    } finally {
      await reads().collection("profiles").deleteOne({ retention: 0.5 });
    }
  });

  it("answers joins by a local field of several documents, or by a missing one, as the general $lookup does", async () => {
    const several = [{ $documents: [{ who: "ada" }, { who: "bob" }, { who: "eve" }] }, { $lookup: { from: "profiles", localField: "who", foreignField: "user", pipeline: [], as: "profile" } }];
    const rows = await reads().aggregate(several).toArray();
    expect(rows.map((row) => row.profile.map((profile: Document) => profile.retention))).toEqual([[0.9], [0.8], []]);
    const missing = [{ $documents: [{}] }, { $lookup: { from: "profiles", localField: "who", foreignField: "user", as: "profile" } }];
    const [row] = await reads().aggregate(missing).toArray();
    expect(row).toEqual((await reads().aggregate(general(missing)).toArray())[0]);
    expect(row.profile).toEqual([]);
  });
});

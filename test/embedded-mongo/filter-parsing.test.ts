import { DBRef, ObjectId } from "mongodb";
import { useEmbeddedMongo } from "./harness";

const db = useEmbeddedMongo();

describe("filters as mongod parses them", () => {
  const fdb = () => db.client().db("parse");

  it("matches a DBRef's $id, $ref and $db like fields, also inside $elemMatch", async () => {
    const id = new ObjectId();
    await fdb().collection("chats").insertMany([
      { members: [{ $ref: "users", $id: id, $db: "app" }] },
      { members: [{ $ref: "users", $id: new ObjectId(), $db: "app" }] },
    ]);
    expect(await fdb().collection("chats").countDocuments({ members: { $elemMatch: { $id: id } } })).toBe(1);
    expect(await fdb().collection("chats").countDocuments({ members: { $elemMatch: { $ref: "users", $db: "app" } } })).toBe(2);
    expect(await fdb().collection("chats").countDocuments({ "members.$id": id })).toBe(1);
    // Stored as the document it is, it still reads back as a DBRef.
    const found = await fdb().collection("chats").findOne({ "members.$id": id });
    expect(found?.members[0]).toBeInstanceOf(DBRef);
    expect(found?.members[0].oid.equals(id)).toBe(true);
    expect(found?.members[0].db).toBe("app");
  });

  it("refuses an unknown operator whether or not the collection exists", async () => {
    for (const name of ["absent", "chats"]) {
      await expect(fdb().collection(name).find({ someProp: { $notAnOperator: "value" } }).toArray()).rejects.toMatchObject({ code: 2, message: "unknown operator: $notAnOperator" });
      await expect(fdb().collection(name).countDocuments({ $bogus: 1 })).rejects.toMatchObject({ code: 2 });
      await expect(fdb().collection(name).deleteMany({ a: { $nope: 1 } })).rejects.toMatchObject({ code: 2 });
    }
  });
});

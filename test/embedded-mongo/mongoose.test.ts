import "reflect-metadata";
import { getModelForClass, index, modelOptions, prop, type Ref } from "@typegoose/typegoose";
import mongoose from "mongoose";
import { startEmbeddedMongo, type EmbeddedMongo } from "../../src/embedded-mongo";

@modelOptions({ schemaOptions: { collection: "authors", timestamps: true } })
class Author {
  @prop({ required: true, unique: true })
  email!: string;

  @prop({ required: true })
  name!: string;
}

@index({ author: 1, title: 1 }, { unique: true })
@modelOptions({ schemaOptions: { collection: "books" } })
class Book {
  @prop({ required: true })
  title!: string;

  @prop({ ref: () => Author, required: true })
  author!: Ref<Author>;

  @prop({ type: () => [String], default: [] })
  tags!: string[];

  @prop({ default: 0 })
  reads!: number;
}

const AuthorModel = getModelForClass(Author);
const BookModel = getModelForClass(Book);

let server: EmbeddedMongo;
beforeAll(async () => {
  server = await startEmbeddedMongo();
  await mongoose.connect(`${server.uri}library`);
  await AuthorModel.init();
  await BookModel.init();
});
afterAll(async () => {
  await mongoose.disconnect();
  await server.stop();
});

describe("mongoose + Typegoose on the embedded engine", () => {
  it("builds the schema's indexes", async () => {
    const names = (await BookModel.listIndexes()).map((i) => i.name);
    expect(names).toEqual(["_id_", "author_1_title_1"]);
    expect((await AuthorModel.listIndexes()).find((i) => i.name === "email_1")).toMatchObject({ unique: true });
    expect(await BookModel.diffIndexes()).toEqual({ toDrop: [], toCreate: [] });
    await BookModel.collection.createIndex({ stale: 1 });
    expect(await BookModel.syncIndexes()).toEqual(["stale_1"]);
  });

  it("creates, queries, updates and deletes documents", async () => {
    const ada = await AuthorModel.create({ email: "ada@example.com", name: "Ada" });
    expect(ada.get("createdAt")).toBeInstanceOf(Date);
    await BookModel.create([{ title: "Notes", author: ada._id, tags: ["math"] }, { title: "Engines", author: ada._id }]);
    const found = await BookModel.find({ author: ada._id }).sort({ title: 1 }).lean();
    expect(found.map((b) => b.title)).toEqual(["Engines", "Notes"]);
    const updated = await BookModel.findOneAndUpdate({ title: "Notes" }, { $inc: { reads: 1 }, $push: { tags: "history" } }, { returnDocument: "after" });
    expect(updated).toMatchObject({ reads: 1, tags: ["math", "history"] });
    expect(await BookModel.countDocuments({ tags: "math" })).toBe(1);
    expect(await BookModel.exists({ title: "Engines" })).toBeTruthy();
    const bulk = await BookModel.bulkWrite([
      { updateOne: { filter: { title: "Engines" }, update: { $set: { reads: 5 } } } },
      { insertOne: { document: { title: "Third", author: ada._id } } },
      { deleteOne: { filter: { title: "Third" } } },
    ]);
    expect(bulk).toMatchObject({ modifiedCount: 1, insertedCount: 1, deletedCount: 1 });
    await BookModel.deleteOne({ title: "Engines" });
    expect(await BookModel.estimatedDocumentCount()).toBe(1);
  });

  it("surfaces duplicate keys as mongoose does with mongod", async () => {
    await AuthorModel.create({ email: "dup@example.com", name: "First" });
    const error = await AuthorModel.create({ email: "dup@example.com", name: "Second" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "MongoServerError", code: 11000, keyPattern: { email: 1 }, keyValue: { email: "dup@example.com" } });
    const many = await AuthorModel.insertMany([{ email: "m1@x", name: "a" }, { email: "dup@example.com", name: "b" }], { ordered: false }).catch((e: unknown) => e);
    expect(many).toMatchObject({ code: 11000 });
    expect(await AuthorModel.exists({ email: "m1@x" })).toBeTruthy();
  });

  it("populates references and aggregates with $lookup", async () => {
    const grace = await AuthorModel.create({ email: "grace@example.com", name: "Grace" });
    await BookModel.create({ title: "Compilers", author: grace._id });
    const book = await BookModel.findOne({ title: "Compilers" }).populate<{ author: Author }>("author");
    expect(book!.author.name).toBe("Grace");
    const joined = await BookModel.aggregate([
      { $match: { title: "Compilers" } },
      { $lookup: { from: "authors", localField: "author", foreignField: "_id", as: "writer" } },
      { $project: { _id: 0, title: 1, writer: "$writer.name" } },
    ]);
    expect(joined).toEqual([{ title: "Compilers", writer: ["Grace"] }]);
  });

  it("iterates a query cursor over several batches", async () => {
    const author = await AuthorModel.create({ email: "many@example.com", name: "Many" });
    await BookModel.insertMany(Array.from({ length: 150 }, (_, i) => ({ title: `t${String(i).padStart(3, "0")}`, author: author._id })));
    let count = 0;
    for await (const doc of BookModel.find({ author: author._id }).sort({ title: 1 }).batchSize(20).cursor()) {
      expect(doc.title).toBe(`t${String(count).padStart(3, "0")}`);
      count++;
    }
    expect(count).toBe(150);
  });
});

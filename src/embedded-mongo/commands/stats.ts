import { BSON, type Document } from "bson";

export function documentsSize(docs: Iterable<Document>): number {
  let size = 0;
  for (const doc of docs) size += BSON.calculateObjectSize(doc);
  return size;
}

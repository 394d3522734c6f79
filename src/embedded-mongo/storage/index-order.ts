import { compareObjectIds, compareValues, rankOf, type ObjectIdLike } from "../query/bson-order";

/** One index entry: the key's values (one per indexed field) and the document's natural-order sequence. */
export interface IndexKey {
  values: unknown[];
  seq: number;
}

/**
 * A position just before (side -1) or after (side 1) every value of one BSON type rank: the
 * open ends of a range such as `{$gt: 5}`, which covers numbers only (type bracketing).
 */
export class RankBound {
  constructor(
    readonly rank: number,
    readonly side: -1 | 1,
  ) {}
}

/** Before and after every value of every type. */
export const LOWEST = new RankBound(0, -1);
export const HIGHEST = new RankBound(1000, 1);

function isObjectId(value: unknown): value is ObjectIdLike {
  return typeof value === "object" && value !== null && (value as { _bsontype?: unknown })._bsontype === "ObjectId";
}

/** MongoDB's BSON order extended with rank bounds; missing (undefined) ranks as null, as in an index. */
export function compareKeyPart(a: unknown, b: unknown): number {
  const boundA = a instanceof RankBound;
  const boundB = b instanceof RankBound;
  if (!boundA && !boundB) return isObjectId(a) && isObjectId(b) ? compareObjectIds(a, b) : compareValues(a, b);
  const rankA = boundA ? a.rank : rankOf(a);
  const rankB = boundB ? b.rank : rankOf(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  const sideA = boundA ? a.side : 0;
  const sideB = boundB ? b.side : 0;
  return sideA === sideB ? 0 : sideA < sideB ? -1 : 1;
}

/**
 * Index order: field by field in each field's direction, then natural order, so entries with
 * equal values come out as a stable sort of the collection would return them.
 */
export function keyComparator(directions: readonly number[]): (a: IndexKey, b: IndexKey) => number {
  return (a, b) => {
    for (let i = 0; i < directions.length; i++) {
      const c = compareKeyPart(a.values[i], b.values[i]);
      if (c !== 0) return c * directions[i];
    }
    return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
  };
}

/** True when two keys hold equal values on every field (natural order aside). */
export function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  for (let i = 0; i < a.length; i++) if (compareKeyPart(a[i], b[i]) !== 0) return false;
  return true;
}

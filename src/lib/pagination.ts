import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { Max, Min } from "class-validator";
import type { Document, Filter, Sort } from "mongodb";
import type { Model, QueryFilter, SortOrder } from "mongoose";
import { findRaw } from "./raw-reads";

/** `skip`/`limit` arguments every list field takes. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { description: "How many items to skip from the start of the list." })
  @Min(0)
  skip: number = 0;

  @Field(() => Int, { description: "How many items to return (1 to 100)." })
  @Min(1)
  @Max(100)
  limit: number = 20;
}

/** One page of a list, as every list field returns it. */
export interface Page<T> {
  items: T[];
  total: number;
  hasMore: boolean;
}

/**
 * The GraphQL type of a page of `itemType`; declare it once per item type:
 * `@ObjectType() export class CoursePage extends PageOf(Course) {}`.
 */
export function PageOf<T extends object>(itemType: ClassType<T>) {
  // Never emitted itself: type-graphql 2 only emits types the schema reaches.
  @ObjectType()
  abstract class PageType implements Page<T> {
    @Field(() => [itemType], { description: "The items of this page, in list order." })
    items!: T[];

    @Field(() => Int, { description: "How many items the whole list holds." })
    total!: number;

    @Field({ description: "Whether items remain after this page." })
    hasMore!: boolean;
  }
  return PageType;
}

/** The requested window of a list. */
export interface PageWindow {
  skip: number;
  limit: number;
}

/** Builds a page from the items fetched for `window` and the size of the whole list. */
export function toPage<T>(items: T[], total: number, window: PageWindow): Page<T> {
  return { items, total, hasMore: window.skip + items.length < total };
}

/**
 * Which of a page's sizes the operation reads (`selectedFields(info, "CoursePage")`): what is not
 * read need not be counted.
 */
export interface PageCounting {
  total: boolean;
  hasMore: boolean;
}

export function pageCounting(selected: ReadonlySet<string>): PageCounting {
  return { total: selected.has("total"), hasMore: selected.has("hasMore") };
}

/**
 * One page of `model` under `filter` in `sort` order, and the size of the whole list. `fields`
 * (stored names) reads only those; without it, whole documents.
 *
 * Without `counting` the list is counted alongside the page. With it, the page is read one item
 * longer, which answers `hasMore`; `total` is counted only when it is read and the list does not
 * end on this page (where it is `skip` + the items). A `total` nobody reads is then a lower bound.
 *
 * `raw`: read through the driver (`findRaw`), for filters built in code with the stored types
 * (hot lists); mongoose casts nothing then.
 */
// Typegoose models differ in their document type, so any model is taken; `lean<T>` types the result.
export async function findPage<T>(
  model: Model<any>,
  filter: QueryFilter<T>,
  sort: Record<string, SortOrder>,
  window: PageWindow,
  fields?: readonly string[],
  counting?: PageCounting,
  raw = false,
): Promise<Page<T>> {
  const projection = fields && Object.fromEntries(fields.map((field) => [field, 1]));
  const find = (limit: number) =>
    raw
      ? findRaw<T>(model, filter as Filter<Document>, { projection, sort: sort as Sort, skip: window.skip, limit })
      : model.find(filter, projection).sort(sort).skip(window.skip).limit(limit).lean<T[]>().exec();
  const count = () => (raw ? model.collection.countDocuments(filter as Filter<Document>) : model.countDocuments(filter).exec());
  if (!counting) {
    const [items, total] = await Promise.all([find(window.limit), count()]);
    return toPage(items, total, window);
  }
  return pageOfRead(await find(window.limit + 1), window, counting, count);
}

/**
 * The page of a list read from `window.skip` one item longer than `window.limit` (`read`), its
 * `total` counted by `count` only when it is read and the list does not end on this page (as `findPage`).
 */
export async function pageOfRead<T>(read: T[], window: PageWindow, counting: PageCounting, count: () => Promise<number>): Promise<Page<T>> {
  const items = read.slice(0, window.limit);
  const hasMore = read.length > window.limit;
  // The list ends on this page, or past its end with nothing before (an empty list).
  const ends = !hasMore && (items.length > 0 || window.skip === 0);
  const total = counting.total && !ends ? await count() : window.skip + read.length;
  return { items, total, hasMore };
}

import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import { Max, Min } from "class-validator";
import type { Model, QueryFilter, SortOrder } from "mongoose";

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
 * One page of `model` under `filter` in `sort` order, and the size of the whole list, read
 * together. `fields` (stored names) reads only those; without it, whole documents.
 */
// Typegoose models differ in their document type, so any model is taken; `lean<T>` types the result.
export async function findPage<T>(
  model: Model<any>,
  filter: QueryFilter<T>,
  sort: Record<string, SortOrder>,
  window: PageWindow,
  fields?: readonly string[],
): Promise<Page<T>> {
  const projection = fields && Object.fromEntries(fields.map((field) => [field, 1]));
  const [items, total] = await Promise.all([
    model.find(filter, projection).sort(sort).skip(window.skip).limit(window.limit).lean<T[]>().exec(),
    model.countDocuments(filter).exec(),
  ]);
  return toPage(items, total, window);
}

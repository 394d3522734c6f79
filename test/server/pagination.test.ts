import "reflect-metadata";
import { graphql, printType, type GraphQLObjectType, type GraphQLSchema } from "graphql";
import { Args, Field, ObjectType, Query, Resolver, buildSchema } from "type-graphql";
import { formatError } from "../../src/server/errors";
import { PageArgs, PageOf, toPage, type Page } from "../../src/lib/pagination";

@ObjectType({ description: "A numbered item." })
class Item {
  @Field({ description: "Its number." })
  n!: number;
}

@ObjectType({ description: "A page of items." })
class ItemPage extends PageOf(Item) {}

const ALL = Array.from({ length: 45 }, (_, n) => ({ n }));

@Resolver()
class ItemResolver {
  @Query(() => ItemPage, { description: "Items, a page at a time." })
  items(@Args() args: PageArgs): Page<Item> {
    return toPage(ALL.slice(args.skip, args.skip + args.limit), ALL.length, args);
  }
}

let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await buildSchema({ resolvers: [ItemResolver], validate: true });
});

async function run(query: string) {
  const result = await graphql({ schema, source: query });
  return { data: result.data, errors: result.errors?.map((error) => formatError(error.toJSON(), error)) };
}

it("declares items, total and hasMore on the page type, skip 0 and limit 20 by default", () => {
  expect(printType(schema.getType("ItemPage") as GraphQLObjectType)).toContain("hasMore: Boolean!");
  const args = schema.getQueryType()?.getFields().items.args.map((arg) => [arg.name, arg.defaultValue]);
  expect(args).toEqual([
    ["skip", 0],
    ["limit", 20],
  ]);
});

it("pages through the list and says when more remain", async () => {
  const first = await run("{ items { total hasMore items { n } } }");
  expect(first.data?.items).toMatchObject({ total: 45, hasMore: true });
  expect((first.data?.items as { items: unknown[] }).items).toHaveLength(20);
  const last = await run("{ items(skip: 40, limit: 10) { total hasMore items { n } } }");
  expect(last.data?.items).toEqual({ total: 45, hasMore: false, items: [40, 41, 42, 43, 44].map((n) => ({ n })) });
});

it("refuses limits outside 1..100 and negative skips", async () => {
  const { errors } = await run("{ items(skip: -1, limit: 101) { total } }");
  expect(errors?.[0]?.extensions).toEqual({
    code: "BAD_USER_INPUT",
    fields: [
      { field: "skip", message: "skip must not be less than 0" },
      { field: "limit", message: "limit must not be greater than 100" },
    ],
  });
});

import { parse, type ExecutionResult } from "graphql";
import { Repeater } from "@graphql-yoga/subscription";
import { makeExecutableSchemaForTest } from "./support/tiny-schema";
import { Loaders } from "../../src/lib/loaders";
import type { Context } from "../../src/lib/context";
import { subscribePerEvent } from "../../src/server/per-event";

/**
 * graphql-ws builds one context per subscription; each event must still get fresh DataLoaders,
 * or a document loaded for the first event would be served, stale, to the next.
 */
it("executes each subscription event with its own loaders, and stops its source when the client leaves", async () => {
  const seen: Loaders[] = [];
  let stopped = false;
  const source = new Repeater<number>(async (push, stop) => {
    await push(1);
    await push(2);
    await stop;
    stopped = true;
  });
  const schema = makeExecutableSchemaForTest(source, (context) => seen.push(context.loaders));
  const context = { loaders: new Loaders() } as Context;

  const result = await subscribePerEvent({ schema, document: parse("subscription { tick }"), contextValue: context });
  const events = result as AsyncIterableIterator<ExecutionResult>;
  expect((await events.next()).value).toEqual({ data: { tick: 1 } });
  expect((await events.next()).value).toEqual({ data: { tick: 2 } });
  expect(seen).toHaveLength(2);
  expect(seen[0]).not.toBe(seen[1]);
  expect(seen).not.toContain(context.loaders);

  await events.return?.();
  await new Promise((resolve) => setImmediate(resolve));
  expect(stopped).toBe(true);
});

import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";
import type { Context } from "../lib/context";
import { forNextExecution } from "./context";

/**
 * graphql-js's `subscribe`, but each event executes with a fresh execution context (new
 * DataLoaders): graphql-ws makes one context per subscription, and a loader cached across
 * events would answer the second event with the first one's documents. The iterator is written
 * out rather than an async generator so that a client leaving returns the source stream at once.
 */
export async function subscribePerEvent(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const source = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in source)) return source;
  const events = source[Symbol.asyncIterator]();
  const context = args.contextValue as Context;
  const iterator: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      const event = await events.next();
      if (event.done) return event;
      const value = await execute({ ...args, rootValue: event.value, contextValue: forNextExecution(context) });
      return { done: false, value };
    },
    async return() {
      await events.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await events.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

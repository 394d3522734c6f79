import { within } from "./guard";

describe("within", () => {
  it("gives the result of a promise that settles in time", async () => {
    await expect(within(Promise.resolve(7), 1000)).resolves.toEqual({ done: 7 });
  });

  it("reports a promise that hangs", async () => {
    await expect(within(new Promise(() => undefined), 10)).resolves.toEqual({ timedOut: true });
  });
});

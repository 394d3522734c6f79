import "reflect-metadata";
import { createServer } from "node:http";
import { Writable } from "node:stream";
import pino from "pino";
import { Query, Resolver, buildSchema } from "type-graphql";
import { loadConfig } from "../../src/config";
import { raise } from "../../src/lib/errors";
import { createApollo } from "../../src/server/apollo";
import type { Context } from "../../src/lib/context";

@Resolver()
class FailingResolver {
  @Query(() => String, { description: "Fails like a bug would." })
  broken(): string {
    throw new Error("secret connection string mongodb://admin:hunter2@db");
  }

  @Query(() => String, { description: "Fails on purpose." })
  missing(): string {
    raise("NOT_FOUND", "Course not found");
  }
}

const logged: Record<string, unknown>[] = [];
const log = pino(
  { level: "info" },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logged.push(JSON.parse(chunk.toString()));
      done();
    },
  }),
);

async function execute(query: string) {
  const schema = await buildSchema({ resolvers: [FailingResolver], validate: true });
  const apollo = createApollo({
    schema,
    httpServer: createServer(),
    config: loadConfig({ NODE_ENV: "test", JWT_SECRET_KEY: "unused" }),
    log,
    closeWebSockets: async () => undefined,
  });
  await apollo.start();
  const contextValue = { requestId: "req-42", log: log.child({ requestId: "req-42" }), services: {} } as unknown as Context;
  try {
    const response = await apollo.executeOperation({ query }, { contextValue });
    if (response.body.kind !== "single") throw new Error("expected a single result");
    return response.body.singleResult;
  } finally {
    await apollo.stop();
  }
}

it("masks an unexpected error, tags it with the request id and logs its stack", async () => {
  const result = await execute("{ broken }");
  expect(result.errors).toEqual([
    {
      message: "Internal server error",
      locations: [{ line: 1, column: 3 }],
      path: ["broken"],
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-42" },
    },
  ]);
  expect(JSON.stringify(result)).not.toContain("hunter2");
  const entry = logged.find((line) => line.msg === "unexpected error");
  expect(entry).toMatchObject({ requestId: "req-42", err: { message: expect.stringContaining("hunter2"), stack: expect.any(String) } });
});

it("passes an error raised on purpose through without logging it", async () => {
  logged.length = 0;
  const result = await execute("{ missing }");
  expect(result.errors?.[0]).toMatchObject({ message: "Course not found", extensions: { code: "NOT_FOUND" } });
  expect(result.errors?.[0]?.extensions).not.toHaveProperty("requestId");
  expect(logged.filter((line) => line.msg === "unexpected error")).toEqual([]);
});

import { MongoInvalidArgumentError, MongoServerError } from "mongodb";
import type { CapturedEvent } from "./entities";
import { checkError } from "./expect-error";
import { checkEvents } from "./expect-events";

const context = {
  entity: () => undefined,
  sessionLsid: () => undefined,
};

const duplicateKey = () => {
  const error = new MongoServerError({
    ok: 0,
    code: 11000,
    codeName: "DuplicateKey",
    errmsg: "E11000 duplicate key error collection: db.coll index: x_1 dup key: { x: \"foo\" }",
    keyPattern: { x: 1 },
    keyValue: { x: "foo" },
  });
  error.addErrorLabel("NoWritesPerformed");
  return error;
};

describe("expectError", () => {
  it("accepts a server error matching code, codeName, message, labels and response", () => {
    const expected = {
      isClientError: false,
      errorCode: 11000,
      errorCodeName: "duplicatekey",
      errorContains: "DUP KEY",
      errorLabelsContain: ["NoWritesPerformed"],
      errorLabelsOmit: ["RetryableWriteError"],
      errorResponse: { keyPattern: { x: 1 }, keyValue: { x: "foo" } },
    };
    expect(checkError(expected, duplicateKey(), context)).toBeUndefined();
  });

  it("names what differs", () => {
    expect(checkError({ errorCode: 121 }, duplicateKey(), context)).toMatch(/expected error code 121, got MongoServerError \(code 11000 DuplicateKey\)/);
    expect(checkError({ isClientError: true }, duplicateKey(), context)).toMatch(/expected a client-side error/);
    expect(checkError({ errorResponse: { keyValue: { x: "bar" } } }, duplicateKey(), context)).toMatch(/errorResponse.keyValue.x: expected "bar"/);
    expect(checkError({ errorLabelsOmit: ["NoWritesPerformed"] }, duplicateKey(), context)).toMatch(/expected no error label/);
  });

  it("tells client errors from server errors and rejects non-driver errors", () => {
    const clientError = new MongoInvalidArgumentError("Update document requires atomic operators");
    expect(checkError({ isClientError: true }, clientError, context)).toBeUndefined();
    expect(checkError({ isClientError: false }, clientError, context)).toMatch(/expected a server error/);
    expect(checkError({ isError: true }, new TypeError("runner bug"), context)).toMatch(/expected a driver error/);
  });

  it("asks for a result only from errors that carry one", () => {
    expect(checkError({ expectResult: { $$unsetOrMatches: { insertedCount: 1 } } }, duplicateKey(), context)).toBeUndefined();
    expect(checkError({ expectResult: { insertedCount: 1 } }, duplicateKey(), context)).toMatch(/error result: expected a document/);
  });
});

describe("expectEvents", () => {
  const find: CapturedEvent = { kind: "commandStartedEvent", commandName: "find", databaseName: "db", command: { find: "coll", filter: {}, lsid: {} } };
  const getMore: CapturedEvent = { kind: "commandStartedEvent", commandName: "getMore", databaseName: "db", command: { getMore: 1, collection: "coll" } };

  it("matches commands as root-level documents, in order", () => {
    const expected = { client: "client0", events: [{ commandStartedEvent: { command: { find: "coll" }, commandName: "find", databaseName: "db" } }] };
    expect(checkEvents(expected, [find], context)).toBeUndefined();
    expect(checkEvents({ ...expected, events: [{ commandStartedEvent: { databaseName: "other" } }] }, [find], context)).toMatch(/expected database other, got db/);
  });

  it("requires the same number of events unless extra ones are ignored", () => {
    const expected = { client: "client0", events: [{ commandStartedEvent: { commandName: "find" } }] };
    expect(checkEvents(expected, [find, getMore], context)).toBe("client0: expected 1 event(s) [find], got 2 [find, getMore]");
    expect(checkEvents({ ...expected, ignoreExtraEvents: true }, [find, getMore], context)).toBeUndefined();
    expect(checkEvents({ client: "client0", events: [] }, [find], context)).toMatch(/expected 0 event/);
  });

  it("distinguishes started, succeeded and failed events", () => {
    const succeeded: CapturedEvent = { kind: "commandSucceededEvent", commandName: "find", databaseName: "db", reply: { ok: 1 } };
    const expected = { client: "client0", events: [{ commandSucceededEvent: { commandName: "find", reply: { ok: 1 } } }] };
    expect(checkEvents(expected, [succeeded], context)).toBeUndefined();
    expect(checkEvents(expected, [find], context)).toMatch(/expected commandSucceededEvent, got commandStartedEvent/);
  });
});

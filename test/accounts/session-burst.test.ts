import { databaseCalls } from "../helpers/database-calls";
import { MeDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld } from "../courses/support";

let world: CourseWorld;

beforeAll(async () => {
  world = await startCourseWorld();
});

afterAll(() => world.server.stop());

/** The reads that learn who is asking: the user and whether the session is live. */
const sessionReads = (work: () => Promise<unknown>) => databaseCalls(work, ["users", "refresh_tokens"]);

describe("a burst of requests from one session", () => {
  it("reads the user and the session once, however many requests arrive together", async () => {
    const session = await world.user();
    const burst = () => Promise.all(Array.from({ length: 16 }, () => world.gql(MeDocument, {}, { token: session.accessToken })));
    let answers: Awaited<ReturnType<typeof burst>> = [];
    const reads = await sessionReads(async () => (answers = await burst()));
    expect(answers.map((answer) => ok(answer).me.id)).toEqual(Array(16).fill(session.user.id));
    expect(reads).toEqual(["refresh_tokens.findOne", "users.findOne"]);
    // Kept: the next burst reads nothing.
    expect(await sessionReads(burst)).toEqual([]);
  });
});

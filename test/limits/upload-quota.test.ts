import { startCourseWorld, type CourseWorld } from "../courses/support";
import { bearer, post } from "../hardening/support";
import { sendFile, settled, uploaded, uploadedAndSettled } from "../uploads/support";

let world: CourseWorld;

beforeAll(async () => {
  world = await startCourseWorld({ UPLOAD_QUOTA_BYTES: "3000" });
});
afterAll(async () => {
  await world?.server.stop();
});

const text = (seed: string, bytes: number) => `${seed}\n`.padEnd(bytes, "Cells divide. ");

describe("per-user upload quotas", () => {
  it("refuses a file that would take a user past UPLOAD_QUOTA_BYTES, and takes it again once space is freed", async () => {
    const student = await world.user();
    const first = await uploaded(world, student.accessToken, "a.txt", text("a", 2_000));
    await settled(world, student.accessToken, first.id);
    const refused = await sendFile(world, student.accessToken, "b.txt", text("b", 1_500));
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "PAYLOAD_TOO_LARGE", usedBytes: 2_000, maxStoredBytes: 3_000 });
    expect(refused.errors?.[0]?.message).toMatch(/storage quota/);
    // Another user is not affected.
    const other = await world.user();
    await uploadedAndSettled(world, other.accessToken, "c.txt", text("c", 1_500));
    const deleted = await post(world.server.graphqlUrl, { query: `mutation { deleteUpload(id: "${first.id}") }` }, bearer(student.accessToken));
    expect(deleted.body?.errors).toBeUndefined();
    await uploaded(world, student.accessToken, "b.txt", text("b", 1_500));
  });
});

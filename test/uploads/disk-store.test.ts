import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteUploadDocument } from "../generated/graphql";
import { ok, startCourseWorld, type CourseWorld } from "../courses/support";
import { settled, storedFiles, uploaded } from "./support";

let world: CourseWorld;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "upload-dir-"));
  world = await startCourseWorld({ FILE_STORE: "disk", UPLOAD_DIR: dir });
});

afterAll(async () => {
  await world.server.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("FILE_STORE=disk keeps uploads as files in UPLOAD_DIR, not in GridFS", async () => {
  const user = await world.user();
  const upload = await uploaded(world, user.accessToken, "disk.txt", "Glaciers carve U-shaped valleys.");
  expect(await settled(world, user.accessToken, upload.id)).toMatchObject({ status: "READY" });
  expect(readdirSync(dir)).toHaveLength(1);
  expect(await storedFiles()).toEqual({ files: 0, chunks: 0 });
  const download = await fetch(`${world.server.url}/api/v1/uploads/${upload.id}/file`, { headers: { authorization: `Bearer ${user.accessToken}` } });
  expect(await download.text()).toBe("Glaciers carve U-shaped valleys.");
  ok(await world.gql(DeleteUploadDocument, { id: upload.id }, { token: user.accessToken }));
  expect(readdirSync(dir)).toHaveLength(0);
});

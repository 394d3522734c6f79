import { print } from "graphql";
import { UploadFileDocument } from "../generated/graphql";
import { startCourseWorld, type CourseWorld } from "../courses/support";
import { countRows } from "../uploads/support";

/** A multipart body that ends before its file does (a client cut off mid-upload) is the client's fault: 400, nothing stored. */

let world: CourseWorld;
beforeAll(async () => {
  world = await startCourseWorld();
});
afterAll(() => world.server.stop());

function truncatedBody(boundary: string): Buffer {
  const operations = JSON.stringify({ query: print(UploadFileDocument), variables: { file: null, title: "cut" } });
  const head = [
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${operations}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\n`,
  ].join("");
  // The file's bytes start, and the body ends: no closing boundary ever comes.
  return Buffer.concat([Buffer.from(head), Buffer.alloc(64 * 1024, "a")]);
}

it("answers 400 BAD_USER_INPUT and stores nothing", async () => {
  const student = await world.user();
  const boundary = "----cut-off-upload";
  const before = await countRows("uploads");
  const response = await fetch(world.server.graphqlUrl, {
    method: "POST",
    headers: {
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "apollo-require-preflight": "true",
      authorization: `Bearer ${student.accessToken}`,
    },
    body: truncatedBody(boundary),
  });
  const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
  expect(response.status).toBe(400);
  expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  expect(body.errors?.[0]?.message).toMatch(/ended before|incomplete|truncated/i);
  expect(body.errors?.[0]?.extensions).not.toHaveProperty("http");
  expect(await countRows("uploads")).toBe(before);
});

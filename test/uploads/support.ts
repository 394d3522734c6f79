import { setTimeout as sleep } from "node:timers/promises";
import mongoose from "mongoose";
import {
  UploadDocument,
  UploadFileDocument,
  type UploadFieldsFragment,
  type UploadFileMutation,
} from "../generated/graphql";
import type { GraphQLResponse } from "../helpers/graphql";
import { uploadRequest, type UploadOptions } from "../helpers/upload";
import type { CourseWorld } from "../courses/support";
import { ok } from "../courses/support";

export const CONTENT_TYPES = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  txt: "text/plain",
};

export function sendFile(
  world: CourseWorld,
  token: string | undefined,
  filename: string,
  content: Buffer | string,
  options: UploadOptions & { title?: string } = {},
): Promise<GraphQLResponse<UploadFileMutation>> {
  const extension = filename.split(".").pop() as keyof typeof CONTENT_TYPES;
  return uploadRequest(
    world.server.graphqlUrl,
    UploadFileDocument,
    { file: null, title: options.title },
    [{ variablePath: "variables.file", filename, contentType: CONTENT_TYPES[extension] ?? "application/octet-stream", content }],
    { token, ...options },
  );
}

export async function uploaded(world: CourseWorld, token: string, filename: string, content: Buffer | string): Promise<UploadFieldsFragment> {
  return ok(await sendFile(world, token, filename, content)).uploadFile;
}

/** Polls the upload until ingestion ends (READY or FAILED). */
export async function settled(world: CourseWorld, token: string, id: string, timeoutMs = 20_000): Promise<UploadFieldsFragment> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const upload = ok(await world.gql(UploadDocument, { id }, { token })).upload;
    if (!upload) throw new Error(`upload ${id} not found`);
    if (upload.status === "READY" || upload.status === "FAILED") return upload;
    if (Date.now() > deadline) throw new Error(`upload ${id} still ${upload.status} after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Uploads a file and waits until its ingestion ends. */
export async function uploadedAndSettled(world: CourseWorld, token: string, filename: string, content: Buffer | string): Promise<UploadFieldsFragment> {
  return settled(world, token, (await uploaded(world, token, filename, content)).id);
}

/** Rows in a collection of the test server's database (the server runs in this process). */
export function countRows(collection: string, filter: Record<string, unknown> = {}): Promise<number> {
  return mongoose.connection.db!.collection(collection).countDocuments(filter);
}

/** Everything stored for files: GridFS files and chunks. */
export async function storedFiles(): Promise<{ files: number; chunks: number }> {
  return { files: await countRows("uploads_fs.files"), chunks: await countRows("uploads_fs.chunks") };
}

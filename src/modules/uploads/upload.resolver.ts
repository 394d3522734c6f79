import { GraphQLUpload, type FileUpload } from "graphql-upload-minimal";
import { Arg, Args, Authorized, Ctx, Mutation, Query, Resolver, Subscription } from "type-graphql";
import { Root } from "../../lib/graphql-root";
import { PageArgs } from "../../lib/pagination";
import { validArgs } from "../../lib/validation";
import { Course } from "../courses/course.model";
import { CourseFromUploadArgs, UploadIdArgs, UploadProgressArgs, UploadTitleArgs } from "./upload.inputs";
import { UploadedFile } from "./upload.model";
import { UploadPage } from "./upload.types";
import type { Context } from "../../lib/context";
import { actorOf, signedInActor } from "../../lib/identity";

@Resolver(() => UploadedFile)
export class UploadResolver {
  @Authorized()
  @Mutation(() => UploadedFile, {
    description:
      "Uploads a PDF, DOCX or UTF-8 TXT file (GraphQL multipart request; send the `apollo-require-preflight: true` header) and queues its ingestion; follow it with `uploadProgress`. The same file uploaded again returns the existing upload. PAYLOAD_TOO_LARGE over MAX_FILE_SIZE, UNSUPPORTED_MEDIA_TYPE for other formats or content that does not match the extension.",
  })
  async uploadFile(
    @Arg("file", () => GraphQLUpload, { description: "The file, one per request." }) file: Promise<FileUpload>,
    @Args() { title }: UploadTitleArgs,
    @Ctx() ctx: Context,
  ): Promise<UploadedFile> {
    return ctx.services.uploads.upload(await signedInActor(ctx), file, title);
  }

  @Authorized()
  @Query(() => UploadedFile, { nullable: true, description: "One of your uploads, or null if there is none with this id." })
  async upload(@Args() { id }: UploadIdArgs, @Ctx() ctx: Context): Promise<UploadedFile | null> {
    return ctx.services.uploads.readable(await actorOf(ctx), id);
  }

  @Authorized()
  @Query(() => UploadPage, { description: "Your uploads, newest first." })
  async uploads(@Args() page: PageArgs, @Ctx() ctx: Context): Promise<UploadPage> {
    return ctx.services.uploads.list(await signedInActor(ctx), page);
  }

  @Authorized()
  @Mutation(() => UploadedFile, { description: "Ingests a READY or FAILED upload again from its file; CONFLICT while it is being ingested." })
  async reprocessUpload(@Args() { id }: UploadIdArgs, @Ctx() ctx: Context): Promise<UploadedFile> {
    return ctx.services.uploads.reprocess(await actorOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Boolean, { description: "Deletes an upload with its file and its passages." })
  async deleteUpload(@Args() { id }: UploadIdArgs, @Ctx() ctx: Context): Promise<boolean> {
    return ctx.services.uploads.delete(await actorOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Course, {
    description:
      "Makes a private course of a READY upload, with you enrolled: chapters follow the document's headings (or balanced parts of it), each with the document's text and the pages it came from.",
  })
  async createCourseFromUpload(@Args() { uploadId, input }: CourseFromUploadArgs, @Ctx() ctx: Context): Promise<Course> {
    return ctx.services.courseFromUpload.create(await signedInActor(ctx), uploadId, input);
  }

  @Authorized()
  @Subscription(() => UploadedFile, {
    name: "uploadProgress",
    description: "An upload's current state, then each ingestion step in order (each state once: a step that changes nothing shown is skipped), ending at READY (progress 100) or FAILED; NOT_FOUND unless it is yours.",
    subscribe: async ({ args, context }) => {
      const { uploadId } = validArgs(UploadProgressArgs, args);
      return (context as Context).services.uploads.watch(await signedInActor(context as Context), uploadId);
    },
  })
  uploadProgressEvents(@Args() _args: UploadProgressArgs, @Root() upload: UploadedFile): UploadedFile {
    return upload;
  }
}

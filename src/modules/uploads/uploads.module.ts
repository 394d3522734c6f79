import mongoose from "mongoose";
import { DiskFileStore, GridFsFileStore, type FileStore } from "../../infra/storage";
import { peers, type AppModule } from "../app-module";
import { CourseFromUploadService } from "./course-from-upload";
import { DEFAULT_INGESTION_OPTIONS, IngestionService } from "./ingestion.service";
import { UploadResolver } from "./upload.resolver";
import { uploadRoutes } from "./upload.rest";
import { UploadService } from "./upload.service";

/** Uploaded documents, their ingestion into passages, and courses made from them. */
export const uploadsModule: AppModule<{ uploads: UploadService; courseFromUpload: CourseFromUploadService }> = {
  name: "uploads",
  resolvers: [UploadResolver],
  create({ config, ai, pubSub, log, events, services }) {
    const { uploads: settings } = config;
    const files: FileStore = settings.store === "disk" ? new DiskFileStore(settings.uploadDir) : new GridFsFileStore(() => mongoose.connection.db!);
    const ingestion = new IngestionService(peers(services, ["passages"], { files, pubSub, log }), {
      ...DEFAULT_INGESTION_OPTIONS,
      concurrency: settings.ingestionConcurrency,
      perUser: settings.ingestionPerUser,
      leaseMs: 2 * settings.extractTimeoutMs,
      extractor: {
        ...DEFAULT_INGESTION_OPTIONS.extractor,
        maxInflatedBytes: settings.docxMaxInflatedBytes,
        maxHeapMb: settings.extractMaxHeapMb,
        timeoutMs: settings.extractTimeoutMs,
      },
    });
    const uploads = new UploadService(peers(services, ["passages", "users"], { config: settings, files, ingestion, pubSub, events }));
    const courseFromUpload = new CourseFromUploadService(peers(services, ["passages", "courses", "chapters"], { uploads }));
    return {
      services: { uploads, courseFromUpload },
      routes: [{ path: "/api/v1/uploads", router: uploadRoutes(peers(services, ["auth"], { uploads })) }],
      handles: { "user.deleted": ({ userId }) => uploads.userDeleted(userId) },
      /** Indexes, then ingestion: resuming what stopped instances left, re-embedding after an embedding model change. */
      async start() {
        await uploads.ready();
        const requeued = await uploads.requeueOutsideActiveSpace();
        if (requeued > 0) log.info({ requeued, embeddingModelId: ai.embeddingModelId }, "uploads: re-embedding uploads for the new embedding model");
        ingestion.start();
      },
      /** Hands this process's ingestions back (another instance resumes them). */
      stop: () => ingestion.close(),
    };
  },
};

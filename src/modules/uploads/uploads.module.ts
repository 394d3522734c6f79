import type { Router } from "express";
import mongoose from "mongoose";
import type { Config } from "../../config";
import type { AiProvider } from "../../infra/ai/provider";
import type { AppPubSub } from "../../infra/pubsub";
import { DiskFileStore, GridFsFileStore, type FileStore } from "../../infra/storage";
import type { Logger } from "../../lib/logger";
import type { AuthService } from "../auth/auth.service";
import type { CourseServices } from "../courses/courses.module";
import { ChapterIndexer } from "../search/chapter-indexer";
import { PassageStore } from "../search/passage-store";
import { SearchService } from "../search/search.service";
import { VectorIndex } from "../search/vector-index";
import { CourseFromUploadService } from "./course-from-upload";
import { IngestionService } from "./ingestion.service";
import { uploadRoutes } from "./upload.rest";
import { UploadService, type UploadDependent } from "./upload.service";

export interface UploadServices {
  uploads: UploadService;
  search: SearchService;
  courseFromUpload: CourseFromUploadService;
}

export interface Uploads {
  services: UploadServices;
  /** `/api/v1/uploads` routes. */
  routes(auth: AuthService): Router;
  /**
   * Indexes, the vector search index, then ingestion (resuming what stopped instances left, and
   * re-embedding uploads after an embedding model change):
   * at once when the database is connected, else on connection.
   */
  start(): Promise<void>;
  /** Hands this process's ingestions back (another instance resumes them) and finishes chapter indexing. */
  close(): Promise<void>;
}

/** Uploads, their ingestion, chapter indexing and search, wired once per process. */
export function createUploads(deps: {
  config: Config;
  ai: AiProvider;
  pubSub: AppPubSub;
  log: Logger;
  courses: CourseServices;
  /** What other modules store per upload, deleted with it. */
  dependents?: UploadDependent[];
}): Uploads {
  const files: FileStore =
    deps.config.uploads.store === "disk" ? new DiskFileStore(deps.config.uploads.uploadDir) : new GridFsFileStore(() => mongoose.connection.db!);
  const passages = new PassageStore(deps.ai);
  const index = new VectorIndex({ dimensions: (options) => deps.ai.embeddingDimensions(options), log: deps.log });
  const ingestion = new IngestionService({ files, passages, pubSub: deps.pubSub, log: deps.log });
  const uploads = new UploadService({ config: deps.config.uploads, files, passages, ingestion, pubSub: deps.pubSub, dependents: deps.dependents ?? [] });
  const search = new SearchService({ ai: deps.ai, index, courses: deps.courses.courses });
  const courseFromUpload = new CourseFromUploadService({ uploads, passages, courses: deps.courses.courses, chapters: deps.courses.chapters });
  const chapterIndexer = new ChapterIndexer({ passages, log: deps.log });
  const stopping = new AbortController();
  deps.courses.chapters.listen(chapterIndexer);
  return {
    services: { uploads, search, courseFromUpload },
    routes: (auth) => uploadRoutes({ auth, uploads }),
    async start() {
      const ready = async () => {
        await Promise.all([uploads.ready(), passages.ready()]);
        await index.ensure();
        const requeued = await uploads.requeueOutsideActiveSpace();
        if (requeued > 0) deps.log.info({ requeued, embeddingModelId: deps.ai.embeddingModelId }, "uploads: re-embedding uploads for the new embedding model");
        ingestion.start();
        void chapterIndexer
          .backfill(deps.courses.chapters, stopping.signal)
          .then((count) => count > 0 && deps.log.info({ count }, "search: indexed chapters that had no passages"))
          .catch((error: unknown) => deps.log.warn({ err: error }, "search: indexing existing chapters failed"));
      };
      if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) return ready();
      mongoose.connection.once("connected", () => {
        ready().catch((error: unknown) => deps.log.error({ err: error }, "uploads: start-up failed"));
      });
    },
    async close() {
      stopping.abort();
      await ingestion.close();
      await chapterIndexer.idle();
    },
  };
}
